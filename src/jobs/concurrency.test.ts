import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defaultConcurrency, defaultMemoryBudgetMb, resolveConcurrency } from './concurrency.js';
import { createHandlerRegistry, defineJobHandler } from './handlers.js';

const small = { cpus: 2, memoryTotalMb: 4_096, hardwareEncoders: [] };
const big = { cpus: 32, memoryTotalMb: 131_072, hardwareEncoders: ['h264_nvenc'] };

describe('default concurrency', () => {
  it('follows the workload and the machine', () => {
    expect(['encode', 'cpu', 'io', 'network'].map((w) => defaultConcurrency(w as never, small))).toEqual([
      1, 1, 2, 8,
    ]);
    expect(['encode', 'cpu', 'io', 'network'].map((w) => defaultConcurrency(w as never, big))).toEqual([
      9, 16, 32, 8,
    ]);
    expect(defaultMemoryBudgetMb(small)).toBe(3_072);
  });

  it('lets configuration win over the handler, and the handler over the hardware', () => {
    const schema = z.object({});
    const reg = createHandlerRegistry([
      defineJobHandler({ type: 'render', schema, workload: 'encode', run: async () => 1 }),
      defineJobHandler({ type: 'generate', schema, workload: 'network', concurrency: 3, run: async () => 1 }),
      defineJobHandler({ type: 'ingest', schema, workload: 'io', run: async () => 1 }),
    ]);
    expect(resolveConcurrency(reg, { ingest: 5 }, big)).toEqual({ render: 9, generate: 3, ingest: 5 });
  });
});
