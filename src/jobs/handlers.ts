import type { z } from 'zod';
import type { Logger } from '../log.js';
import { defaultRetryPolicy, type RetryPolicy } from './backoff.js';
import { jobTypeUnknown, payloadInvalid } from './job-errors.js';
import type { ProgressReporter } from './progress.js';

/** What a handler's `run` receives. */
export interface JobContext<P> {
  jobId: string;
  type: string;
  payload: P;
  /** 1-based; attempts counted across worker crashes. */
  attempt: number;
  maxAttempts: number;
  /** Fires on cancel, timeout, lost lease or worker shutdown. Pass it to every child process. */
  signal: AbortSignal;
  progress: ProgressReporter;
  log: Logger;
}

/**
 * How a job type uses the machine. Default concurrency comes from the detected hardware per workload
 * (see concurrency.ts); `reelforge doctor` shows the numbers.
 */
export type Workload = 'encode' | 'cpu' | 'io' | 'network';

export interface JobHandler<S extends z.ZodType = z.ZodType, R = unknown> {
  type: string;
  /** Validates the payload at enqueue and again at pickup. */
  schema: S;
  run(ctx: JobContext<z.output<S>>): Promise<R>;
  workload?: Workload;
  /** Fixed concurrency per worker for this type (configuration `jobs.concurrency` still wins). */
  concurrency?: number;
  retry?: Partial<RetryPolicy>;
  /** Default 30 minutes. */
  timeoutMs?: number;
  /** Estimated peak memory of one job, for the memory budget. */
  memoryMb?: number | ((payload: z.output<S>) => number);
  /** Estimated provider spend of one job, for the cost budget. */
  cost?: number | ((payload: z.output<S>) => number);
}

/** Identity helper that keeps the payload type of `run` tied to the schema. */
export function defineJobHandler<S extends z.ZodType, R>(handler: JobHandler<S, R>): JobHandler<S, R> {
  return handler;
}

/** A handler with every option resolved. */
export interface ResolvedHandler {
  type: string;
  schema: z.ZodType;
  run(ctx: JobContext<unknown>): Promise<unknown>;
  workload: Workload;
  concurrency: number | null;
  retry: RetryPolicy;
  timeoutMs: number;
  estimate(payload: unknown): { memoryMb: number; cost: number };
}

export interface HandlerRegistry {
  get(type: string): ResolvedHandler | undefined;
  /** The handler, or JOB_TYPE_UNKNOWN naming the known types. */
  require(type: string): ResolvedHandler;
  types(): string[];
}

export const DEFAULT_TIMEOUT_MS = 30 * 60_000;

function estimateOf(value: number | ((p: never) => number) | undefined, payload: unknown): number {
  const n = typeof value === 'function' ? (value as (p: unknown) => number)(payload) : (value ?? 0);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/** Resolves the handlers' defaults once; refuses duplicate or badly named types. */
// biome-ignore lint/suspicious/noExplicitAny: handlers of different payload types share one registry
export function createHandlerRegistry(handlers: readonly JobHandler<any, any>[] = []): HandlerRegistry {
  const map = new Map<string, ResolvedHandler>();
  for (const h of handlers) {
    if (map.has(h.type)) throw new Error(`two job handlers registered for type "${h.type}"`);
    if (!/^[a-z][a-z0-9_-]{0,63}$/.test(h.type)) {
      throw new Error(`job type "${h.type}" must be lower-case letters, digits, "-" or "_"`);
    }
    const retry = { ...defaultRetryPolicy, ...h.retry };
    map.set(h.type, {
      type: h.type,
      schema: h.schema,
      run: h.run as (ctx: JobContext<unknown>) => Promise<unknown>,
      workload: h.workload ?? 'cpu',
      concurrency: h.concurrency ?? null,
      retry: { ...retry, attempts: Math.max(1, Math.floor(retry.attempts)) },
      timeoutMs: h.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      estimate: (payload) => ({
        memoryMb: estimateOf(h.memoryMb, payload),
        cost: estimateOf(h.cost, payload),
      }),
    });
  }
  return {
    get: (type) => map.get(type),
    require(type) {
      const h = map.get(type);
      if (!h) throw jobTypeUnknown(type, [...map.keys()]);
      return h;
    },
    types: () => [...map.keys()],
  };
}

/** Validates a payload with the handler's schema; JOB_PAYLOAD_INVALID lists every problem with its path. */
export function parsePayload(
  handler: ResolvedHandler,
  payload: unknown,
  stage: 'enqueue' | 'pickup',
): unknown {
  const parsed = handler.schema.safeParse(payload);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (i) => `${['payload', ...i.path.map(String)].join('.')}: ${i.message}`,
  );
  throw payloadInvalid(handler.type, stage, problems, parsed.error);
}
