import { createReadStream } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { UPLOAD_ID, uploadStages } from '../../ingest/upload/index.js';
import { errorResponses } from '../schemas.js';
import type { App } from '../types.js';

const params = z.object({
  id: z.string().regex(UPLOAD_ID, { message: 'expected an upload id (u + 24 hex digits)' }),
});

const progressSchema = z.object({
  type: z.literal('upload.progress'),
  uploadId: z.string(),
  stage: z.enum(uploadStages),
  offset: z.number(),
  size: z.number(),
  percent: z.number(),
  bytesPerSec: z.number(),
  etaSec: z.number().nullable(),
  previewUrl: z.string().nullable(),
  assetId: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

const TUS_DESCRIPTION =
  'tus 1.0 resumable upload (creation, creation-with-upload, termination, expiration; https://tus.io/protocols/resumable-upload). ' +
  'Metadata `filename` and `filetype` are read; the content must match `filetype` (checked from the first bytes) and pass ' +
  'sharp/ffprobe on completion. Errors are the tus response with a `CODE: message` text body (docs/errors.md). The final ' +
  'PATCH answers with `Reelforge-Asset-Id` and `Reelforge-Content-Hash` headers. Progress: WebSocket topic `upload:<id>`.';

/**
 * Resumable uploads: the tus server answers POST/HEAD/PATCH/DELETE/OPTIONS under /uploads on the raw
 * request and response (Fastify leaves the body unread), after the usual token check and, for an
 * existing upload, an owner check. Status and early preview are ordinary JSON / image routes.
 */
export async function uploadRoutes(app: App): Promise<void> {
  const uploads = () => app.services.uploads;
  // PATCH bodies stream into the tus store untouched.
  app.addContentTypeParser('application/offset+octet-stream', (_req, _payload, done) => done(null));

  const toTus = async (request: FastifyRequest, reply: FastifyReply) => {
    const { id } = request.params as { id?: string };
    const owner = request.principal!.owner;
    if (id !== undefined) await uploads().assertOwner(id, owner);
    reply.hijack();
    await uploads().handle(request.raw, reply.raw, owner);
  };
  const tus = { tags: ['uploads'], description: TUS_DESCRIPTION };

  app.post(
    '/uploads',
    { config: { scope: 'write' }, schema: { ...tus, summary: 'Create a resumable upload (tus)' } },
    toTus,
  );
  app.route({
    method: 'HEAD',
    url: '/uploads/:id',
    config: { scope: 'read' },
    schema: { ...tus, summary: 'Offset of an upload (tus)', params },
    handler: toTus,
  });
  app.patch(
    '/uploads/:id',
    { config: { scope: 'write' }, schema: { ...tus, summary: 'Append bytes (tus)', params } },
    toTus,
  );
  app.delete(
    '/uploads/:id',
    { config: { scope: 'write' }, schema: { ...tus, summary: 'Terminate an upload (tus)', params } },
    toTus,
  );
  // CORS preflight and tus capability discovery carry no token.
  const options = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.hijack();
    await uploads().tus.handle(request.raw, reply.raw);
  };
  app.options('/uploads', { config: { public: true }, schema: { hide: true } }, options);
  app.options('/uploads/:id', { config: { public: true }, schema: { hide: true } }, options);

  app.get(
    '/uploads/:id',
    {
      config: { scope: 'read' },
      exposeHeadRoute: false,
      schema: {
        tags: ['uploads'],
        summary: "An upload's stage, progress, preview URL and, once complete, its asset id",
        params,
        response: { 200: progressSchema, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => uploads().status(request.params.id, request.principal!.owner),
  );

  app.get(
    '/uploads/:id/preview',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['uploads'],
        summary: 'The early preview (JPEG) made while the upload arrives',
        params,
        response: { ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      const path = await uploads().previewFile(request.params.id, request.principal!.owner);
      // A file stream, not a JSON body: sent through the untyped reply, as send-content.ts does.
      return (reply as FastifyReply)
        .type('image/jpeg')
        .header('cache-control', 'private, no-cache')
        .header('x-content-type-options', 'nosniff')
        .send(createReadStream(path));
    },
  );
}
