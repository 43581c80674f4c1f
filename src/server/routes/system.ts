import { z } from 'zod';
import { scopes } from '../../storage/token-store.js';
import { timelineJsonSchema } from '../../timeline/index.js';
import { PROBLEM_CONTENT_TYPE, problem } from '../problem.js';
import { errorResponses } from '../schemas.js';
import type { App } from '../types.js';

const checkSchema = z.object({
  name: z.enum(['database', 'disk', 'ffmpeg', 'queue']),
  ok: z.boolean(),
  detail: z.string(),
  ms: z.number(),
});

const startedAt = () => process.uptime();

/** Liveness, readiness, the API description, the timeline JSON Schema, and "who am I". */
export async function systemRoutes(app: App): Promise<void> {
  app.get(
    '/health',
    {
      config: { public: true },
      schema: {
        tags: ['system'],
        summary: 'Liveness: the process answers',
        security: [],
        response: { 200: z.object({ status: z.literal('ok'), uptimeSec: z.number() }) },
      },
    },
    async () => ({ status: 'ok' as const, uptimeSec: Math.round(startedAt()) }),
  );

  app.get(
    '/ready',
    {
      config: { public: true },
      schema: {
        tags: ['system'],
        summary: 'Readiness: database, free disk space, ffmpeg, queue backend',
        description:
          '200 when every check passes; otherwise 503 problem+json (SERVER_NOT_READY) with `checks`.',
        security: [],
        response: {
          200: z.object({ status: z.literal('ready'), checks: z.array(checkSchema) }),
          ...errorResponses(503),
        },
      },
    },
    async (request, reply) => {
      const report = await app.services.readiness();
      if (report.ok) return { status: 'ready' as const, checks: report.checks };
      const failing = report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
      const body = problem(
        'SERVER_NOT_READY',
        503,
        `not ready: ${failing.join('; ')}`,
        { instance: '/ready', requestId: request.id },
        { checks: report.checks },
      );
      return reply.code(503).type(PROBLEM_CONTENT_TYPE).send(body);
    },
  );

  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  app.get(
    '/schemas/timeline.json',
    { config: { public: true }, schema: { hide: true } },
    async (_request, reply) => reply.type('application/schema+json').send(timelineJsonSchema()),
  );

  app.get(
    '/me',
    {
      schema: {
        tags: ['system'],
        summary: 'Who the request acts as: owner, scopes, and whether the server runs open',
        response: {
          200: z.object({
            owner: z.string(),
            scopes: z.array(z.enum(scopes)),
            tokenId: z.string().nullable(),
            open: z.boolean(),
          }),
          ...errorResponses(401, 429),
        },
      },
    },
    async (request) => {
      const p = request.principal!;
      return { owner: p.owner, scopes: [...p.scopes], tokenId: p.tokenId, open: app.auth.isOpen() };
    },
  );
}
