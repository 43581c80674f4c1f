import { z } from 'zod';
import type { Project } from '../../storage/project-store.js';
import {
  errorResponses,
  idParam,
  pageOf,
  pageQuery,
  projectSchema,
  timelineBodySchema,
  versionSummarySchema,
} from '../schemas.js';
import type { App } from '../types.js';

export function projectView(p: Project): z.infer<typeof projectSchema> {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    version: p.version,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

const params = z.object({ id: idParam('project') });
const name = z.string().trim().min(1).max(200);
const description = z.string().max(2_000);
const message = z.string().max(500).describe('a note about this save, shown in the version history');

/** Projects: create, list, get, rename, delete; the timeline with its version history. */
export async function projectRoutes(app: App): Promise<void> {
  const projects = () => app.services.projects;
  const timelineLimit = app.services.config.server.limits.timelineBytes + 64 * 1_024;

  app.post(
    '/projects',
    {
      bodyLimit: timelineLimit,
      config: { scope: 'write', timelineBody: true },
      schema: {
        tags: ['projects'],
        summary: 'Create a project, optionally with its first timeline (version 1)',
        body: z
          .object({
            name,
            description: description.optional(),
            timeline: timelineBodySchema.optional(),
            message: message.optional(),
          })
          .strict(),
        response: { 201: projectSchema, ...errorResponses(400, 401, 403, 413, 422, 429) },
      },
    },
    async (request, reply) => {
      const p = request.principal!;
      const { timeline, message: note, ...meta } = request.body;
      const project = projects().create(
        p.owner,
        meta,
        timeline === undefined ? undefined : { timeline, message: note ?? null, createdBy: p.tokenId },
      );
      return reply.code(201).header('location', `/projects/${project.id}`).send(projectView(project));
    },
  );

  app.get(
    '/projects',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['projects'],
        summary: 'List the owner’s projects, most recently changed first',
        querystring: z.object({
          q: z.string().max(200).optional().describe('part of the name'),
          ...pageQuery,
        }),
        response: { 200: pageOf(projectSchema), ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const page = projects().list(request.principal!.owner, request.query);
      return { ...page, items: page.items.map(projectView) };
    },
  );

  app.get(
    '/projects/:id',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['projects'],
        summary: 'A project with its current timeline',
        params,
        response: {
          200: projectSchema.extend({
            timeline: z.unknown().describe('the current timeline, or null before the first save'),
          }),
          ...errorResponses(400, 401, 403, 404, 429),
        },
      },
    },
    async (request) => {
      const owner = request.principal!.owner;
      const project = projects().get(owner, request.params.id);
      const timeline =
        project.version > 0 ? projects().version(owner, project.id, project.version).timeline : null;
      return { ...projectView(project), timeline };
    },
  );

  app.patch(
    '/projects/:id',
    {
      config: { scope: 'write' },
      schema: {
        tags: ['projects'],
        summary: 'Rename a project or change its description',
        params,
        body: z.object({ name: name.optional(), description: description.optional() }).strict(),
        response: { 200: projectSchema, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      projectView(projects().update(request.principal!.owner, request.params.id, request.body)),
  );

  app.delete(
    '/projects/:id',
    {
      config: { scope: 'write' },
      schema: {
        tags: ['projects'],
        summary: 'Delete a project and its version history (its renders stay)',
        params,
        response: { 204: z.null(), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      projects().delete(request.principal!.owner, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.put(
    '/projects/:id/timeline',
    {
      bodyLimit: timelineLimit,
      config: { scope: 'write', timelineBody: true },
      schema: {
        tags: ['projects'],
        summary: 'Save a new timeline version',
        description:
          'Every save is a new version. `baseVersion` is the version the change was made on; when it is no longer ' +
          'the current one the save is refused with 409 PROJECT_VERSION_CONFLICT and `details.currentVersion`.',
        params,
        body: z
          .object({
            baseVersion: z
              .number()
              .int()
              .min(0)
              .describe('the version this change is based on (0 for the first save)'),
            timeline: timelineBodySchema,
            message: message.optional(),
          })
          .strict(),
        response: { 200: projectSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 422, 429) },
      },
    },
    async (request) => {
      const p = request.principal!;
      const { baseVersion, timeline, message: note } = request.body;
      return projectView(
        projects().save(p.owner, request.params.id, baseVersion, {
          timeline,
          message: note ?? null,
          createdBy: p.tokenId,
        }),
      );
    },
  );

  app.get(
    '/projects/:id/timeline',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['projects'],
        summary: 'A version of the timeline (the current one by default)',
        params,
        querystring: z.object({ version: z.coerce.number().int().min(1).optional() }),
        response: {
          200: versionSummarySchema.extend({ timeline: z.unknown() }),
          ...errorResponses(400, 401, 403, 404, 429),
        },
      },
    },
    async (request) => {
      const { projectId: _, ...v } = projects().version(
        request.principal!.owner,
        request.params.id,
        request.query.version,
      );
      return v;
    },
  );

  app.get(
    '/projects/:id/versions',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['projects'],
        summary: 'The version history, newest first',
        params,
        querystring: z.object(pageQuery),
        response: { 200: pageOf(versionSummarySchema), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => projects().versions(request.principal!.owner, request.params.id, request.query),
  );
}
