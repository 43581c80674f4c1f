/** Bytes kept from a child's stderr: enough for the last few error lines, bounded however chatty it is. */
export const DEFAULT_TAIL_BYTES = 8 * 1024;

/** A fixed-size ring buffer that keeps only the last `capacity` bytes written to it. */
export class TailBuffer {
  readonly #buf: Buffer;
  #end = 0;
  #filled = 0;
  #total = 0;

  constructor(readonly capacity: number = DEFAULT_TAIL_BYTES) {
    if (!Number.isInteger(capacity) || capacity <= 0) {
      throw new RangeError(`TailBuffer capacity must be a positive integer, got ${capacity}`);
    }
    this.#buf = Buffer.alloc(capacity);
  }

  /** Total bytes ever pushed, including those already dropped. */
  get totalBytes(): number {
    return this.#total;
  }

  /** Whether older bytes have been dropped. */
  get truncated(): boolean {
    return this.#total > this.capacity;
  }

  /** Appends a chunk, overwriting the oldest bytes when full. */
  push(chunk: Uint8Array | string): void {
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const cap = this.capacity;
    this.#total += data.length;
    if (data.length >= cap) {
      this.#buf.set(data.subarray(data.length - cap));
      this.#end = 0;
      this.#filled = cap;
      return;
    }
    const first = Math.min(data.length, cap - this.#end);
    this.#buf.set(data.subarray(0, first), this.#end);
    this.#buf.set(data.subarray(first), 0);
    this.#end = (this.#end + data.length) % cap;
    this.#filled = Math.min(cap, this.#filled + data.length);
  }

  /** The kept bytes, oldest first (a copy). */
  bytes(): Buffer {
    if (this.#filled < this.capacity) return Buffer.from(this.#buf.subarray(0, this.#filled));
    return Buffer.concat([this.#buf.subarray(this.#end), this.#buf.subarray(0, this.#end)]);
  }

  /** The kept text; once truncated it starts at the first whole line, so it never opens mid-line. */
  toString(): string {
    const text = this.bytes().toString('utf8');
    if (!this.truncated) return text;
    const nl = text.indexOf('\n');
    return nl >= 0 && nl < text.length - 1 ? text.slice(nl + 1) : text;
  }
}

const LEVEL_TAG = /\[(fatal|error|warning|info|verbose|debug|trace|panic)\] /;

/**
 * The stderr line most likely to explain a failure: the first fatal line, else the first error line
 * (later ones are usually consequences such as "Conversion failed!"), else the first line.
 * Lines come from `-loglevel level+…`, so they carry a `[error]` tag; the tag and the context's
 * pointer (`@ 0x55…`) are removed for readability.
 */
export function relevantStderrLine(stderr: string, maxLength = 300): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const pick =
    lines.find((l) => l.includes('[fatal] ') || l.includes('[panic] ')) ??
    lines.find((l) => l.includes('[error] ')) ??
    lines[0] ??
    '';
  const clean = pick
    .replace(LEVEL_TAG, '')
    .replace(/ @ 0x[0-9a-f]+\]/g, ']')
    .trim();
  return clean.length > maxLength ? `${clean.slice(0, maxLength - 1)}…` : clean;
}
