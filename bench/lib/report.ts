import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

/** Median of a list of numbers. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** (max − min) / median, as a percentage: how much the runs disagreed. */
export function spreadPct(xs: readonly number[]): number {
  const m = median(xs);
  return m === 0 ? 0 : ((Math.max(...xs) - Math.min(...xs)) / m) * 100;
}

/** One line describing the machine, for results tables. */
export function machine(): string {
  const c = cpus();
  return `${c.length} × ${c[0]?.model.trim() ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
}

/** Prints rows as an aligned table. */
export function printTable(rows: readonly (readonly (string | number)[])[]): void {
  const cells = rows.map((r) => r.map(String));
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => r[i]?.length ?? 0)));
  for (const r of cells) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
}

/** This process's peak resident memory, sampled every `intervalMs` until stopped. */
export class RssPeak {
  #peak = process.memoryUsage().rss;
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(intervalMs = 50) {
    this.#timer = setInterval(() => this.peak, intervalMs);
  }

  /** The peak so far, in bytes (including now). */
  get peak(): number {
    this.#peak = Math.max(this.#peak, process.memoryUsage().rss);
    return this.#peak;
  }

  /** Starts over from the current level (for a question about what happens from now on). */
  restart(rss = process.memoryUsage().rss): void {
    this.#peak = rss;
  }

  stop(): number {
    clearInterval(this.#timer);
    return this.peak;
  }
}

/** Samples this process's resident memory until stopped; returns the peak in bytes. */
export function sampleRss(intervalMs = 50): () => number {
  const rss = new RssPeak(intervalMs);
  return () => rss.stop();
}

/** A numeric command-line option `--name value`, or its default. */
export function numberOption(name: string, def: number, argv = process.argv.slice(2)): number {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : def;
}

/** CPU seconds used so far by this process and by its children that have ended (Linux; else 0). */
export function cpuSeconds(): { self: number; children: number } {
  const u = process.cpuUsage();
  let children = 0;
  try {
    // Fields 16 and 17 of /proc/self/stat (cutime, cstime), in clock ticks of 1/100 s on Linux.
    const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    children = (Number(f[13]) + Number(f[14])) / 100;
  } catch {
    // Not Linux: the children's share is not reported.
  }
  return { self: (u.user + u.system) / 1e6, children };
}

/** CPU seconds used by this process and its children while `fn` ran. */
export async function measureCpu<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; self: number; children: number }> {
  const a = cpuSeconds();
  const value = await fn();
  const b = cpuSeconds();
  return { value, self: b.self - a.self, children: b.children - a.children };
}
