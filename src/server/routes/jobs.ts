import { z } from 'zod';
import { ReelforgeError } from '../../errors.js';
import { hasScope } from '../auth-policy.js';
import { errorResponses, jobIdParam, jobSchema, jobStateSchema, pageQuery } from '../schemas.js';
import type { App } from '../types.js';

const params = z.object({ id: jobIdParam });

/**
 * The generic view of every job (renders and whatever else runs): listing, stats, cancel and retry
 * need `admin`; one job can also be read by the owner of the render it belongs to.
 */
export async function jobRoutes(app: App): Promise<void> {
  const queue = () => app.services.queue;

  app.get(
    '/jobs',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['jobs'],
        summary: 'All jobs, newest first',
        querystring: z.object({
          state: jobStateSchema.optional(),
          type: z.string().max(64).optional(),
          limit: pageQuery.limit,
          offset: pageQuery.offset,
        }),
        response: {
          200: z.object({
            jobs: z.array(jobSchema),
            total: z.number(),
            limit: z.number(),
            offset: z.number(),
          }),
          ...errorResponses(400, 401, 403, 429),
        },
      },
    },
    async (request) => {
      const page = await queue().list(request.query);
      return { ...page, jobs: page.jobs.map((j) => ({ ...j })) };
    },
  );

  app.get(
    '/jobs/stats',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['jobs'],
        summary: 'Counts per state and throughput over the last hour',
        response: {
          200: z.looseObject({ counts: z.record(z.string(), z.number()) }),
          ...errorResponses(401, 403, 429),
        },
      },
    },
    async () => ({ ...(await queue().stats()) }),
  );

  app.get(
    '/jobs/:id',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['jobs'],
        summary: 'One job in full: payload, result, step tree, attempts, timings',
        params,
        response: { 200: jobSchema, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => {
      const p = request.principal!;
      const { id } = request.params;
      // Not admin: only the jobs of one's own renders, and others' look absent.
      if (!hasScope(p, 'admin') && !app.services.renderRecords.get(p.owner, id)) {
        throw new ReelforgeError('JOB_NOT_FOUND', `job ${id} not found`, { status: 404, retryable: false });
      }
      return { ...(await queue().get(id)) };
    },
  );

  for (const action of ['cancel', 'retry'] as const) {
    app.post(
      `/jobs/:id/${action}`,
      {
        config: { scope: 'admin' },
        schema: {
          tags: ['jobs'],
          summary: action === 'cancel' ? 'Cancel a job' : 'Run a failed or cancelled job again',
          params,
          response: { 202: jobSchema, ...errorResponses(400, 401, 403, 404, 409, 429) },
        },
      },
      async (request, reply) => {
        const job =
          action === 'cancel'
            ? await queue().cancel(request.params.id)
            : await queue().retry(request.params.id);
        return reply.code(202).send({ ...job });
      },
    );
  }
}
