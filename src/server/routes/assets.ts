import type { Readable } from 'node:stream';
import { z } from 'zod';
import { ReelforgeError } from '../../errors.js';
import { enqueueAssetProcessing } from '../../ingest/process/index.js';
import type { Asset } from '../../storage/asset-store.js';
import { assetKinds } from '../../storage/media-inspect.js';
import { assetSchema, errorResponses, idParam, pageOf, pageQuery } from '../schemas.js';
import { sendContent } from '../send-content.js';
import type { App } from '../types.js';

/** The API shape of an asset (the owner is implied by the token). */
export function assetView(a: Asset): z.infer<typeof assetSchema> {
  return {
    id: a.id,
    name: a.name,
    kind: a.kind,
    mime: a.mime,
    hash: a.hash,
    bytes: a.bytes,
    metadata: a.metadata,
    createdAt: a.createdAt,
    ref: `asset:${a.id}`,
  };
}

const params = z.object({ id: idParam('asset') });

/** The media library: upload, list and search, describe, download with Range, delete when unused. */
export async function assetRoutes(app: App): Promise<void> {
  const library = () => app.services.assets;

  // Raw uploads: the body streams straight into the blob store (its size limit applies there).
  for (const type of ['application/octet-stream', 'application/pdf', /^(image|audio|video)\//]) {
    app.addContentTypeParser(type, (_req, payload, done) => done(null, payload));
  }

  app.post(
    '/assets',
    {
      config: { scope: 'write' },
      schema: {
        tags: ['assets'],
        summary: 'Upload a media file (image, video, audio or PDF)',
        description:
          'Either multipart/form-data with a `file` part (and optionally a `name` field before it), or the raw bytes ' +
          'with any image/*, video/*, audio/* or application/octet-stream type and `?name=`. Identical content is ' +
          'stored once. The file is described by sharp or ffprobe; anything else is refused (MEDIA_UNREADABLE). ' +
          'Larger than server.limits.uploadBytes: 413 UPLOAD_TOO_LARGE.',
        consumes: ['multipart/form-data', 'application/octet-stream'],
        querystring: z.object({ name: z.string().max(1_000).optional() }),
        response: { 201: assetSchema, ...errorResponses(400, 401, 403, 413, 415, 422, 429, 507) },
      },
    },
    async (request, reply) => {
      const owner = request.principal!.owner;
      let asset: Asset;
      if (request.isMultipart()) {
        const part = await request.file();
        if (!part)
          throw new ReelforgeError('REQUEST_INVALID', 'the multipart body has no `file` part', {
            status: 400,
          });
        const field = part.fields.name;
        const name =
          field && 'value' in field && typeof field.value === 'string' ? field.value : part.filename;
        asset = await library().upload(owner, name, part.file);
      } else {
        asset = await library().upload(owner, request.query.name, request.body as Readable);
      }
      // Derivatives (variants, poster, strip, proxy, waveform, PDF pages) are made by a job; a queue
      // failure is logged, not the upload's failure: the asset is stored either way.
      await enqueueAssetProcessing(app.services.queue, { assetId: asset.id, owner }).catch((e: unknown) =>
        request.log.error({ err: e, assetId: asset.id }, 'could not queue asset processing'),
      );
      return reply.code(201).header('location', `/assets/${asset.id}`).send(assetView(asset));
    },
  );

  app.get(
    '/assets',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['assets'],
        summary: 'List or search the media library, newest first',
        querystring: z.object({
          q: z.string().max(200).optional().describe('part of the name, case-insensitive'),
          kind: z.enum(assetKinds).optional(),
          ...pageQuery,
        }),
        response: { 200: pageOf(assetSchema), ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const page = library().list(request.principal!.owner, request.query);
      return { ...page, items: page.items.map(assetView) };
    },
  );

  app.get(
    '/assets/:id',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['assets'],
        summary: 'One asset with its metadata',
        params,
        response: { 200: assetSchema, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => assetView(library().get(request.principal!.owner, request.params.id)),
  );

  app.get(
    '/assets/:id/content',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['assets'],
        summary: 'Download the asset’s bytes (HTTP Range supported)',
        params,
        response: errorResponses(400, 401, 403, 404, 416, 429),
      },
    },
    async (request, reply) => {
      const asset = library().get(request.principal!.owner, request.params.id);
      return sendContent(request, reply, {
        open: (range) => library().open(asset, range),
        bytes: asset.bytes,
        hash: asset.hash,
        mime: asset.mime,
        filename: asset.name,
      });
    },
  );

  app.delete(
    '/assets/:id',
    {
      config: { scope: 'write' },
      schema: {
        tags: ['assets'],
        summary: 'Delete an asset nothing uses',
        description: 'ASSET_IN_USE (409) while a project’s current timeline or an unfinished render uses it.',
        params,
        response: { 204: z.null(), ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      // Its derivative records go with it (a trigger); their blobs go when nothing else names them.
      const derivativeBlobs = app.services.derivatives.hashesOf(request.params.id);
      await library().delete(request.principal!.owner, request.params.id);
      await app.services.derivatives.dropUnreferenced(derivativeBlobs);
      return reply.code(204).send(null);
    },
  );
}
