import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { ReelforgeError } from '../errors.js';
import { createHandlerRegistry, defineJobHandler, parsePayload } from './handlers.js';
import { isRetryable, toJobError } from './job-errors.js';

const render = defineJobHandler({
  type: 'render',
  schema: z.object({ width: z.number().int().positive(), height: z.number().int().positive() }),
  memoryMb: (p) => (p.width * p.height) / 10_000,
  cost: 0,
  retry: { attempts: 5 },
  run: async ({ payload }) => payload.width,
});

describe('defineJobHandler', () => {
  it('types the payload and the estimates from the schema', () => {
    defineJobHandler({
      type: 'typed',
      schema: z.object({ frames: z.number(), label: z.string().default('x') }),
      memoryMb: (p) => {
        expectTypeOf(p).toEqualTypeOf<{ frames: number; label: string }>();
        return p.frames;
      },
      run: async ({ payload, signal, progress }) => {
        expectTypeOf(payload).toEqualTypeOf<{ frames: number; label: string }>();
        expectTypeOf(signal).toEqualTypeOf<AbortSignal>();
        expectTypeOf(progress.step).returns.toEqualTypeOf(progress);
        return payload.frames;
      },
    });
  });
});

describe('handler registry', () => {
  it('resolves defaults and estimates from the payload', () => {
    const reg = createHandlerRegistry([render]);
    const h = reg.require('render');
    expect(h.retry).toMatchObject({ attempts: 5, backoffMs: 1_000 });
    expect(h.workload).toBe('cpu');
    expect(h.estimate({ width: 1920, height: 1080 })).toEqual({ memoryMb: 207.36, cost: 0 });
    expect(reg.types()).toEqual(['render']);
  });

  it('names the known types for an unknown one', () => {
    expect(() => createHandlerRegistry([render]).require('upscale')).toThrow(
      expect.objectContaining({ code: 'JOB_TYPE_UNKNOWN', message: expect.stringContaining('render') }),
    );
  });

  it('refuses duplicate and badly named types', () => {
    expect(() => createHandlerRegistry([render, render])).toThrow(/two job handlers/);
    expect(() => createHandlerRegistry([{ ...render, type: 'Render Job' }])).toThrow(/lower-case/);
  });
});

describe('parsePayload', () => {
  const h = createHandlerRegistry([render]).require('render');
  it('lists every problem with its path', () => {
    try {
      parsePayload(h, { width: -1 }, 'pickup');
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: 'JOB_PAYLOAD_INVALID' });
      const message = (e as Error).message;
      expect(message).toContain('payload.width');
      expect(message).toContain('payload.height');
      expect(message).toContain('picked up');
      expect(isRetryable(e)).toBe(false);
    }
  });
});

describe('errors of attempts', () => {
  it('retries plain errors and anything not marked otherwise, never bad input', () => {
    expect(isRetryable(new Error('socket hang up'))).toBe(true);
    expect(isRetryable(new ReelforgeError('FFMPEG_EXITED', 'x'))).toBe(true);
    expect(isRetryable(new ReelforgeError('FFMPEG_EXITED', 'x', { retryable: false }))).toBe(false);
    expect(isRetryable(new ReelforgeError('TIMELINE_INVALID', 'x', { retryable: true }))).toBe(false);
  });

  it('stores code, message and JSON-safe details', () => {
    expect(toJobError(new Error('boom'))).toEqual({
      code: 'JOB_HANDLER_FAILED',
      message: 'boom',
      retryable: true,
    });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(toJobError(new ReelforgeError('RENDER_FAILED', 'no', { details: circular })).details).toBeTypeOf(
      'string',
    );
  });
});
