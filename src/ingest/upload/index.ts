/** Resumable uploads: tus wiring, content checks and hashing as bytes arrive, early previews. */

export type { UploadListener } from './progress-emitter.js';
export {
  ASSET_ID_HEADER,
  CONTENT_HASH_HEADER,
  type IngestConfig,
  UPLOAD_ID,
  UploadService,
  uploadNotFound,
} from './upload-service.js';
export { type UploadProgress, type UploadStage, uploadStages } from './upload-session.js';
