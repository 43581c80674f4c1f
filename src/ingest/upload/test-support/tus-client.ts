import { Upload, type UploadOptions } from 'tus-js-client';

export interface TusResult {
  url: string;
  assetId: string | null;
  hash: string | null;
}

/** Uploads with tus-js-client (no retries) and resolves with the upload URL and the server's result headers. */
export function tusUpload(
  input: Buffer | NodeJS.ReadableStream,
  options: UploadOptions & { endpoint: string },
  control: { onUpload?: (u: Upload) => void } = {},
): Promise<TusResult> {
  return new Promise((resolve, reject) => {
    const upload: Upload = new Upload(input as Buffer, {
      retryDelays: null,
      ...options,
      onSuccess: (payload) => {
        resolve({
          url: upload.url ?? '',
          assetId: payload.lastResponse.getHeader('reelforge-asset-id') ?? null,
          hash: payload.lastResponse.getHeader('reelforge-content-hash') ?? null,
        });
      },
      onError: (e) => reject(e),
    });
    control.onUpload?.(upload);
    upload.start();
  });
}
