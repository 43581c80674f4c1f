import { z } from 'zod';
import { renderOutputSchema } from '../../render-jobs/index.js';
import { errorResponses, idParam, pageOf, pageQuery, renderSchema, timelineBodySchema } from '../schemas.js';
import { sendContent } from '../send-content.js';
import type { App } from '../types.js';

const params = z.object({ id: idParam('render') });

/** Renders: start one from a project version or an inline timeline, follow it, cancel it, download it. */
export async function renderRoutes(app: App): Promise<void> {
  const renders = () => app.services.renders;

  app.post(
    '/renders',
    {
      bodyLimit: app.services.config.server.limits.timelineBytes + 64 * 1_024,
      config: { scope: 'render', timelineBody: true },
      schema: {
        tags: ['renders'],
        summary: 'Start a render job',
        description:
          'Give `projectId` (and optionally `version`, default the current one) or an inline `timeline`. Answers 202 ' +
          'with the render; follow it at GET /renders/{id} or over the WebSocket (topic job:{id}).',
        body: z
          .object({
            projectId: idParam('project').optional(),
            version: z.number().int().min(1).optional(),
            timeline: timelineBodySchema.optional(),
            output: renderOutputSchema.optional(),
            priority: z.enum(['urgent', 'high', 'medium', 'low']).optional(),
          })
          .strict(),
        response: { 202: renderSchema, ...errorResponses(400, 401, 403, 404, 413, 422, 429, 507) },
      },
    },
    async (request, reply) => {
      const render = await renders().create(request.principal!.owner, request.body);
      return reply.code(202).header('location', `/renders/${render.id}`).send(render);
    },
  );

  app.get(
    '/renders',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['renders'],
        summary: 'List renders, newest first',
        querystring: z.object({ projectId: idParam('project').optional(), ...pageQuery }),
        response: { 200: pageOf(renderSchema), ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) => renders().list(request.principal!.owner, request.query),
  );

  app.get(
    '/renders/:id',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['renders'],
        summary: 'A render’s state, step tree and ETA',
        params,
        response: { 200: renderSchema, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => renders().status(request.principal!.owner, request.params.id),
  );

  app.post(
    '/renders/:id/cancel',
    {
      config: { scope: 'render' },
      schema: {
        tags: ['renders'],
        summary: 'Cancel a render (a running one stops and leaves no output)',
        params,
        response: { 202: renderSchema, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) =>
      reply.code(202).send(await renders().cancel(request.principal!.owner, request.params.id)),
  );

  app.get(
    '/renders/:id/output',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['renders'],
        summary: 'Download the rendered file (HTTP Range supported)',
        description: 'RENDER_NOT_READY (409) until the render completed.',
        params,
        response: errorResponses(400, 401, 403, 404, 409, 416, 429),
      },
    },
    async (request, reply) => {
      const out = await renders().output(request.principal!.owner, request.params.id);
      return sendContent(request, reply, { ...out, open: (range) => renders().open(out.hash, range) });
    },
  );
}
