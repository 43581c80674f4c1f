import type { RenderProgress } from '../engine/index.js';

/** Options for a ProgressBar; the clock and the writer are injected so the bar is testable. */
export interface ProgressBarOptions {
  write: (s: string) => void;
  /** A terminal gets one line redrawn in place; anything else an occasional plain line. */
  tty: boolean;
  /** Terminal width; lines are cut to fit so that `\r` redraws never wrap. */
  columns?: number;
  /** Milliseconds, monotonic. */
  now?: () => number;
  /** Least time between two redraws on a terminal. */
  redrawMs?: number;
  /** Least time between two plain lines of the same stage. */
  plainMs?: number;
}

const CLEAR_LINE = '\x1b[K';

/** Seconds as a clock: `0:07`, `1:05`, `1:02:03`. */
export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** A byte count for people: `512 B`, `12.3 kB`, `4.56 MB`, `1.20 GB` (powers of 1000). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)} ${units[unit]}`;
}

/** The facts after the bar: `45%  135/300  62.1 fps  ETA 0:03`, leaving out what is not known yet. */
function facts(p: RenderProgress): string[] {
  const parts = [`${String(Math.floor(p.fraction * 100)).padStart(3)}%`];
  if (p.totalFrames > 0) parts.push(`${p.frame}/${p.totalFrames}`);
  // A rate measured over one frame says nothing yet.
  if (p.fps > 0 && p.frame > 1) parts.push(`${p.fps.toFixed(1)} fps`);
  if (p.etaSec !== null && p.stage === 'video' && p.frame > 1) parts.push(`ETA ${formatClock(p.etaSec)}`);
  return parts;
}

/** One terminal line: stage, bar, percent, frame/total, fps, ETA; never wider than `columns - 1`. */
export function progressLine(p: RenderProgress, columns: number): string {
  const stage = p.stage.padEnd(8);
  const rest = facts(p).join('  ');
  const room = columns - 1 - stage.length - ' [  ]'.length - rest.length;
  if (room < 10) return `${stage} ${rest}`.slice(0, Math.max(0, columns - 1));
  const width = Math.min(40, room);
  const filled = Math.round(Math.min(1, Math.max(0, p.fraction)) * width);
  return `${stage} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}]  ${rest}`;
}

/** One log line: `render: video 120/300 frames (40%), 55.0 fps, ETA 0:03`. */
export function plainLine(p: RenderProgress): string {
  let line = `render: ${p.stage}`;
  if (p.totalFrames > 0) line += ` ${p.frame}/${p.totalFrames} frames`;
  line += ` (${Math.floor(p.fraction * 100)}%)`;
  if (p.fps > 0 && p.frame > 1) line += `, ${p.fps.toFixed(1)} fps`;
  if (p.etaSec !== null && p.stage === 'video' && p.frame > 1) line += `, ETA ${formatClock(p.etaSec)}`;
  return line;
}

/**
 * Shows render progress on stderr. On a terminal one line is redrawn at most every `redrawMs`
 * (and at every stage change); elsewhere a plain line is printed when the stage changes and then at
 * most every `plainMs`, so CI logs stay a few lines long.
 */
export class ProgressBar {
  readonly #o: Required<Omit<ProgressBarOptions, 'columns'>> & { columns: number };
  #stage: RenderProgress['stage'] | null = null;
  #last = Number.NEGATIVE_INFINITY;
  #drawn = false;

  constructor(options: ProgressBarOptions) {
    this.#o = {
      write: options.write,
      tty: options.tty,
      columns: options.columns && options.columns > 0 ? options.columns : 80,
      now: options.now ?? (() => performance.now()),
      redrawMs: options.redrawMs ?? 100,
      plainMs: options.plainMs ?? 10_000,
    };
  }

  update(p: RenderProgress): void {
    const now = this.#o.now();
    const newStage = p.stage !== this.#stage;
    const due = now - this.#last >= (this.#o.tty ? this.#o.redrawMs : this.#o.plainMs);
    const last = p.fraction >= 1 || (p.stage === 'video' && p.frame === p.totalFrames);
    if (this.#o.tty) {
      if (!(newStage || due || last)) return;
      this.#o.write(`\r${progressLine(p, this.#o.columns)}${CLEAR_LINE}`);
      this.#drawn = true;
    } else {
      // A stage's end is not worth a line of its own in a log; its start and slow progress are.
      if (!(newStage || (due && !last))) return;
      this.#o.write(`${plainLine(p)}\n`);
    }
    this.#stage = p.stage;
    this.#last = now;
  }

  /** Removes the bar from the terminal so that what follows starts on a clean line. Idempotent. */
  finish(): void {
    if (this.#drawn) this.#o.write(`\r${CLEAR_LINE}`);
    this.#drawn = false;
  }
}
