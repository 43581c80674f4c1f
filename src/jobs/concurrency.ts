import { availableParallelism, totalmem } from 'node:os';
import type { HandlerRegistry, Workload } from './handlers.js';

/** The facts about a machine that default concurrency and budgets are derived from. */
export interface HardwareProfile {
  cpus: number;
  memoryTotalMb: number;
  /** Hardware video encoders ffmpeg can use here (h264_nvenc, hevc_vaapi, …); empty when unknown. */
  hardwareEncoders: readonly string[];
}

/** Cores and memory from the OS; encoders unknown (detecting them needs ffmpeg, see observability/hardware). */
export function basicHardwareProfile(): HardwareProfile {
  return {
    cpus: availableParallelism(),
    memoryTotalMb: Math.floor(totalmem() / (1024 * 1024)),
    hardwareEncoders: [],
  };
}

export const workloads: readonly Workload[] = ['encode', 'cpu', 'io', 'network'];

/**
 * Jobs of one workload a worker runs at once by default:
 * - encode: ffmpeg spreads one encode over about four cores, so one per four cores (at least one), plus
 *   one when a hardware encoder is present, since that work leaves the cores mostly free;
 * - cpu: one per two cores;
 * - io: one per core, at least two (mostly waiting on disk);
 * - network: eight (mostly waiting on a provider).
 */
export function defaultConcurrency(workload: Workload, hw: HardwareProfile): number {
  const cpus = Math.max(1, hw.cpus);
  switch (workload) {
    case 'encode':
      return Math.max(1, Math.floor(cpus / 4)) + (hw.hardwareEncoders.length > 0 ? 1 : 0);
    case 'cpu':
      return Math.max(1, Math.floor(cpus / 2));
    case 'io':
      return Math.max(2, cpus);
    case 'network':
      return 8;
  }
}

/** Three quarters of the machine's memory: the rest is for the server, the OS and the page cache. */
export function defaultMemoryBudgetMb(hw: HardwareProfile): number {
  return Math.max(256, Math.floor(hw.memoryTotalMb * 0.75));
}

/** Concurrency per registered type: configuration, else the handler's own, else the workload default. */
export function resolveConcurrency(
  handlers: HandlerRegistry,
  overrides: Readonly<Record<string, number>>,
  hw: HardwareProfile,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const type of handlers.types()) {
    const h = handlers.require(type);
    out[type] = overrides[type] ?? h.concurrency ?? defaultConcurrency(h.workload, hw);
  }
  return out;
}
