import { z } from 'zod';
import { isReelforgeError } from '../../errors.js';
import { processingJobId } from '../../ingest/process/index.js';
import { type Derivative, derivativeKinds } from '../../storage/derivative-store.js';
import { errorResponses, idParam } from '../schemas.js';
import { sendContent } from '../send-content.js';
import type { App } from '../types.js';

const derivativeSchema = z
  .object({
    name: z.string().describe('unique per asset, e.g. `image-2048.webp`, `poster.jpg`, `proxy.mp4`'),
    kind: z.enum(derivativeKinds),
    mime: z.string(),
    hash: z.string().describe('SHA-256 of the content'),
    bytes: z.number().int(),
    meta: z.record(z.string(), z.unknown()).describe('what this derivative is: size, layout, loudness …'),
    createdAt: z.number().int(),
    url: z.string().describe('where to download it (owner-only, HTTP Range supported)'),
  })
  .meta({ id: 'Derivative' });

const processingSchema = z
  .object({
    jobId: z.string(),
    state: z.string(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
  })
  .nullable()
  .describe('the asset’s processing job, or null when none was queued');

const listSchema = z
  .object({ assetId: z.string(), processing: processingSchema, items: z.array(derivativeSchema) })
  .meta({ id: 'DerivativeList' });

const params = z.object({ id: idParam('asset') });

export function derivativeView(d: Derivative) {
  return {
    name: d.name,
    kind: d.kind,
    mime: d.mime,
    hash: d.hash,
    bytes: d.bytes,
    meta: d.meta,
    createdAt: d.createdAt,
    url: `/assets/${d.assetId}/derivatives/${d.name}`,
  };
}

/** What an asset's processing made: image variants, poster, thumbnail strip, proxy, waveform, PDF pages. */
export async function derivativeRoutes(app: App): Promise<void> {
  const services = () => app.services;

  app.get(
    '/assets/:id/derivatives',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['assets'],
        summary: 'The files made from an asset by its processing job, with their metadata',
        description:
          'Empty until the asset’s processing job completes (`processing` says where it stands). A PDF lists its ' +
          'pages (kind `page`), each also an image asset of its own (`meta.assetId`).',
        params,
        response: { 200: listSchema, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => {
      const asset = services().assets.get(request.principal!.owner, request.params.id);
      let processing: z.infer<typeof processingSchema> = null;
      try {
        const job = await services().queue.get(processingJobId(asset.id));
        processing = {
          jobId: job.id,
          state: job.state,
          error: job.error ? { code: job.error.code, message: job.error.message } : null,
        };
      } catch (e) {
        if (!isReelforgeError(e, 'JOB_NOT_FOUND')) throw e;
      }
      return {
        assetId: asset.id,
        processing,
        items: services().derivatives.list(asset.id).map(derivativeView),
      };
    },
  );

  app.get(
    '/assets/:id/derivatives/:name',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['assets'],
        summary: 'Download one derivative (HTTP Range supported)',
        params: params.extend({ name: z.string().min(1).max(64) }),
        response: errorResponses(400, 401, 403, 404, 416, 429),
      },
    },
    async (request, reply) => {
      const asset = services().assets.get(request.principal!.owner, request.params.id);
      const d = services().derivatives.get(asset.id, request.params.name);
      return sendContent(request, reply, {
        open: (range) => services().derivatives.open(d, range),
        bytes: d.bytes,
        hash: d.hash,
        mime: d.mime,
        filename: d.name,
      });
    },
  );
}
