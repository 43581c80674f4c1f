import { toReelforgeError } from '../errors.js';
import { capabilityMemo, captureOutput, type Ffmpeg } from './find-ffmpeg.js';

/** One line of `ffmpeg -encoders`. */
export interface EncoderInfo {
  name: string;
  kind: 'video' | 'audio' | 'subtitle';
  description: string;
}

/** One line of `ffmpeg -filters`. */
export interface FilterInfo {
  name: string;
  /** Input and output pad types, e.g. `V->V`, `AA->A`, `|->V` (source). */
  io: string;
  description: string;
}

const KINDS = { V: 'video', A: 'audio', S: 'subtitle' } as const;

/** Parses `ffmpeg -encoders` output (the lines after the `------` separator). */
export function parseEncoders(text: string): EncoderInfo[] {
  const out: EncoderInfo[] = [];
  for (const line of text.split('\n')) {
    const m = line.match(/^ ([VAS])[.A-Z]{5} (\S+)\s+(.*)$/);
    if (!m || m[2] === '=') continue;
    out.push({
      kind: KINDS[m[1] as keyof typeof KINDS],
      name: m[2] as string,
      description: (m[3] ?? '').trim(),
    });
  }
  return out;
}

/** Parses `ffmpeg -filters` output. */
export function parseFilters(text: string): FilterInfo[] {
  const out: FilterInfo[] = [];
  for (const line of text.split('\n')) {
    const m = line.match(/^ [.A-Z]{3} (\S+)\s+(\S+->\S+)\s+(.*)$/);
    if (!m) continue;
    out.push({ name: m[1] as string, io: m[2] as string, description: (m[3] ?? '').trim() });
  }
  return out;
}

/** Runs `ffmpeg <flag>` once per Ffmpeg object and keeps the parsed result; a failure is not kept. */
function memoised<T>(ff: Ffmpeg, flag: string, parse: (text: string) => T): Promise<T> {
  const memo = ff[capabilityMemo];
  const cached = memo?.get(flag);
  if (cached) return cached as Promise<T>;
  const pending = captureOutput(ff.ffmpegPath, ['-hide_banner', flag]).then(parse, (e: unknown) => {
    memo?.delete(flag);
    throw toReelforgeError(e, 'FFMPEG_EXITED');
  });
  memo?.set(flag, pending);
  return pending;
}

/** The encoders this ffmpeg build offers (memoised per Ffmpeg object). */
export function listEncoders(ff: Ffmpeg): Promise<readonly EncoderInfo[]> {
  return memoised(ff, '-encoders', (t) => Object.freeze(parseEncoders(t)));
}

/** The filters this ffmpeg build offers (memoised per Ffmpeg object). */
export function listFilters(ff: Ffmpeg): Promise<readonly FilterInfo[]> {
  return memoised(ff, '-filters', (t) => Object.freeze(parseFilters(t)));
}

/** Whether this ffmpeg build has the named encoder (e.g. `libx264`, `aac`). */
export async function hasEncoder(ff: Ffmpeg, name: string): Promise<boolean> {
  return (await listEncoders(ff)).some((e) => e.name === name);
}

/** Whether this ffmpeg build has the named filter (e.g. `zscale`, `minterpolate`). */
export async function hasFilter(ff: Ffmpeg, name: string): Promise<boolean> {
  return (await listFilters(ff)).some((f) => f.name === name);
}
