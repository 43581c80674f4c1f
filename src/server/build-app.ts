import { randomBytes } from 'node:crypto';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Services } from '../app.js';
import { ReelforgeError } from '../errors.js';
import { AuthPolicy, forbidden, hasScope } from './auth-policy.js';
import { PROBLEM_CONTENT_TYPE, problem, toProblem } from './problem.js';
import { RateLimiter } from './rate-limiter.js';
import { assetRoutes } from './routes/assets.js';
import { derivativeRoutes } from './routes/derivatives.js';
import { jobRoutes } from './routes/jobs.js';
import { createPreview, previewRoutes } from './routes/preview.js';
import { projectRoutes } from './routes/projects.js';
import { renderRoutes } from './routes/renders.js';
import { systemRoutes } from './routes/system.js';
import { uploadRoutes } from './routes/uploads.js';
import { wsRoutes } from './routes/ws.js';
import type { App } from './types.js';
import { WsHub } from './ws/hub.js';

export interface BuildAppOptions {
  /** Log every request at info level (default: only failures). */
  logRequests?: boolean;
}

/** The Fastify instance's own options for these services: limits and timeouts from `server`. */
function fastifyOptions(services: Services, options: BuildAppOptions) {
  const s = services.config.server;
  return {
    loggerInstance: services.log.child({ component: 'http' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: options.logRequests !== true }),
    bodyLimit: s.limits.bodyBytes,
    requestTimeout: s.requestTimeoutMs,
    return503OnClosing: true,
    genReqId: () => randomBytes(6).toString('hex'),
    routerOptions: { maxParamLength: 200 },
  };
}

const isPublic = (request: FastifyRequest) =>
  request.routeOptions.config?.public === true || request.url === '/docs' || request.url.startsWith('/docs/');

/**
 * Builds the HTTP app on the given services without listening, so tests build one with their own
 * limits and bind it to port 0. Routes reach services through `app.services`, never through imports.
 */
export async function buildApp(services: Services, options: BuildAppOptions = {}): Promise<App> {
  const { server: s } = services.config;
  const app = Fastify(fastifyOptions(services, options)).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('services', services);
  app.decorate('auth', new AuthPolicy(services.tokens, s.host));
  const hub = new WsHub(services, app.auth, {
    heartbeatMs: s.ws.heartbeatMs,
    progressThrottleMs: s.ws.progressThrottleMs,
    authTimeoutMs: s.ws.authTimeoutMs,
    maxSubscriptions: s.limits.wsSubscriptions,
    rateLimit: s.rateLimit,
  });
  app.decorate('hub', hub);
  // Registered before the websocket plugin's own: clients get "going away" (1001) with a reason.
  app.addHook('preClose', () => hub.close());
  const preview = createPreview(services, app.auth);
  app.decorate('preview', preview.hub);
  app.addHook('preClose', () => preview.close());
  app.decorateRequest('principal', null);
  // JSON only (uploads add their own parsers): a text body is refused with 415, not half-understood.
  app.removeContentTypeParser('text/plain');

  const limiter = new RateLimiter(s.rateLimit);
  app.addHook('onRequest', async (request, reply) => {
    if (isPublic(request)) return;
    // A bad token is refused before anything else, but still spends the caller's address budget.
    let principal = null;
    let authError: unknown = null;
    try {
      principal = app.auth.fromHeader(request.headers.authorization);
    } catch (e) {
      authError = e;
    }
    const decision = limiter.take(principal?.tokenId ?? `ip:${request.ip}`);
    if (!decision.ok) throw rateLimited(reply, decision.retryAfterMs);
    if (authError) throw authError;
    principal ??= app.auth.anonymous({ host: request.headers.host, origin: request.headers.origin });
    const scope = request.routeOptions.config?.scope;
    if (scope && !hasScope(principal, scope)) throw forbidden(scope, principal);
    request.principal = principal;
  });

  app.setErrorHandler((error, request, reply) => {
    const body = toProblem(error, {
      instance: request.url.split('?')[0],
      requestId: request.id,
      timelineBody: request.routeOptions.config?.timelineBody === true,
      timelineBytes: s.limits.timelineBytes,
      bodyBytes: s.limits.bodyBytes,
    });
    if (body.status >= 500) request.log.error({ err: error, requestId: request.id }, 'request failed');
    return reply.code(body.status).type(PROBLEM_CONTENT_TYPE).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const body = problem('ROUTE_NOT_FOUND', 404, `no route ${request.method} ${path}; see /docs`, {
      instance: path,
      requestId: request.id,
    });
    return reply.code(404).type(PROBLEM_CONTENT_TYPE).send(body);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Reelforge API',
        version: '1',
        description:
          'Projects with versioned timelines, a media library, renders as jobs, and job events over WebSocket (/ws). ' +
          'Errors are application/problem+json with a `code` (docs/errors.md).',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(websocket, { options: { maxPayload: s.limits.wsMessageBytes } });
  await app.register(multipart, {
    // One byte over the limit reaches the blob store, which refuses the upload (UPLOAD_TOO_LARGE) and
    // keeps nothing; at exactly the limit the parser would truncate the file silently instead.
    limits: {
      fileSize: s.limits.uploadBytes + 1,
      files: 1,
      fields: 4,
      fieldSize: 1_024,
      parts: 5,
      headerPairs: 50,
    },
  });
  await app.register(systemRoutes);
  await app.register(assetRoutes);
  await app.register(derivativeRoutes);
  await app.register(projectRoutes);
  await app.register(renderRoutes);
  await app.register(jobRoutes);
  await app.register(wsRoutes);
  await app.register(uploadRoutes);
  await app.register(previewRoutes);
  return app;
}

function rateLimited(reply: FastifyReply, retryAfterMs: number): ReelforgeError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  reply.header('retry-after', String(seconds));
  return new ReelforgeError('RATE_LIMITED', `too many requests; try again in ${seconds} s`, {
    status: 429,
    retryable: true,
    details: { retryAfterSec: seconds },
  });
}
