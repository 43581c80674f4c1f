import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../app.js';
import type { Scope } from '../storage/token-store.js';
import type { AuthPolicy, Principal } from './auth-policy.js';
import type { WsHub } from './ws/hub.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Everything routes use, from the composition root (never imported directly). */
    services: Services;
    auth: AuthPolicy;
    hub: WsHub;
  }
  interface FastifyRequest {
    /** Who is asking; set for every route that is not public. */
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** The scope a route needs; routes without one (and without `public`) need any valid principal. */
    scope?: Scope;
    /** Served without authentication (health, readiness, the API description). */
    public?: boolean;
    /** The body is a timeline: an oversized body is reported as TIMELINE_TOO_LARGE. */
    timelineBody?: boolean;
  }
}

/** The Fastify instance with zod schemas as its type provider. */
export type App = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;
