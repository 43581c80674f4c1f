/** One `-progress` report from ffmpeg. */
export interface FfmpegProgress {
  /** Frames written so far (0 for audio-only outputs). */
  frame: number;
  /** Current encoding speed in frames per second. */
  fps: number;
  /** Output time reached, in seconds. */
  outTimeSec: number;
  /** Encoding speed relative to real time (1.5 = 1.5×), or null while ffmpeg cannot tell. */
  speed: number | null;
  /** True on the last report (`progress=end`). */
  done: boolean;
}

function toNumber(value: string | undefined): number | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  if (trimmed === '' || trimmed === 'N/A') return null;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : null;
}

/** `HH:MM:SS.micro` as seconds, or null. */
function clockToSec(value: string | undefined): number | null {
  const m = value?.trim().match(/^(-?)(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/);
  if (!m) return null;
  const sec = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
  return m[1] === '-' ? -sec : sec;
}

/**
 * Parses ffmpeg's `-progress` output: blocks of `key=value` lines, each closed by
 * `progress=continue` or `progress=end`. Feed it chunks as they arrive; a line may be split across
 * chunks. Keys missing from a block keep their last value.
 */
export class ProgressParser {
  #partial = '';
  readonly #fields = new Map<string, string>();

  /** Consumes a chunk and returns the reports completed by it (often none, sometimes several). */
  push(chunk: string): FfmpegProgress[] {
    const text = this.#partial + chunk;
    const lines = text.split('\n');
    this.#partial = lines.pop() ?? '';
    const reports: FfmpegProgress[] = [];
    for (const raw of lines) {
      const line = raw.trim();
      const eq = line.indexOf('=');
      if (eq <= 0) continue;
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1);
      if (key === 'progress') reports.push(this.#snapshot(value.trim() === 'end'));
      else this.#fields.set(key, value);
    }
    return reports;
  }

  #snapshot(done: boolean): FfmpegProgress {
    const f = this.#fields;
    // out_time_ms is in microseconds too (a long-standing ffmpeg quirk); out_time is the readable form.
    const outUs = toNumber(f.get('out_time_us')) ?? toNumber(f.get('out_time_ms'));
    const outSec = outUs !== null ? outUs / 1e6 : clockToSec(f.get('out_time'));
    const speed = toNumber(f.get('speed')?.replace(/x\s*$/, ''));
    return {
      frame: Math.max(0, toNumber(f.get('frame')) ?? 0),
      fps: Math.max(0, toNumber(f.get('fps')) ?? 0),
      outTimeSec: Math.max(0, outSec ?? 0),
      speed,
      done,
    };
  }
}
