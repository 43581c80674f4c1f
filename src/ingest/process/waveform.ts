import sharp from 'sharp';

/** Peaks of a sound, audiowaveform-style: `data` holds min and max of each bucket, interleaved. */
export interface WaveformPeaks {
  version: 1;
  channels: 1;
  sampleRate: number;
  samplesPerBucket: number;
  /** Number of buckets. */
  length: number;
  /** [min0, max0, min1, max1, …], each in −1…1, rounded to 4 decimals. */
  data: number[];
}

/** About this many buckets whatever the length: enough for a wide timeline, small as JSON. */
export const TARGET_BUCKETS = 1000;

/** Samples per bucket so that a sound of this length gives about TARGET_BUCKETS buckets. */
export function samplesPerBucketFor(durationSec: number | null, sampleRate: number): number {
  if (durationSec === null || !(durationSec > 0)) return Math.max(1, Math.round(sampleRate / 100));
  return Math.max(1, Math.ceil((durationSec * sampleRate) / TARGET_BUCKETS));
}

/**
 * Folds a stream of mono 32-bit float little-endian samples into min/max buckets. Chunks may split a
 * sample; the leftover bytes wait for the next chunk. Memory is one number pair per bucket.
 */
export class PeakAccumulator {
  private readonly data: number[] = [];
  private carry = Buffer.alloc(0);
  private inBucket = 0;
  private min = 0;
  private max = 0;
  samples = 0;

  constructor(
    private readonly sampleRate: number,
    private readonly samplesPerBucket: number,
  ) {}

  push(chunk: Buffer): void {
    const buf = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const whole = buf.length - (buf.length % 4);
    for (let o = 0; o < whole; o += 4) this.add(buf.readFloatLE(o));
    this.carry = Buffer.from(buf.subarray(whole));
  }

  private add(raw: number): void {
    const v = Number.isFinite(raw) ? Math.max(-1, Math.min(1, raw)) : 0;
    if (this.inBucket === 0) {
      this.min = v;
      this.max = v;
    } else {
      if (v < this.min) this.min = v;
      if (v > this.max) this.max = v;
    }
    this.samples++;
    if (++this.inBucket === this.samplesPerBucket) this.flush();
  }

  private flush(): void {
    const r = (n: number) => Math.round(n * 10_000) / 10_000;
    this.data.push(r(this.min), r(this.max));
    this.inBucket = 0;
  }

  finish(): WaveformPeaks {
    if (this.inBucket > 0) this.flush();
    return {
      version: 1,
      channels: 1,
      sampleRate: this.sampleRate,
      samplesPerBucket: this.samplesPerBucket,
      length: this.data.length / 2,
      data: [...this.data],
    };
  }
}

export const WAVEFORM_PNG_HEIGHT = 128;
const WAVE_COLOUR = [0x3b, 0x82, 0xf6, 0xff] as const;

/** A picture of the peaks: one column a bucket, a bar from min to max around the middle line, transparent elsewhere. */
export async function renderWaveformPng(
  peaks: WaveformPeaks,
  path: string,
): Promise<{ width: number; height: number }> {
  const width = Math.max(1, peaks.length);
  const height = WAVEFORM_PNG_HEIGHT;
  const pixels = Buffer.alloc(width * height * 4);
  const mid = (height - 1) / 2;
  for (let x = 0; x < peaks.length; x++) {
    const lo = peaks.data[2 * x] ?? 0;
    const hi = peaks.data[2 * x + 1] ?? 0;
    // Screen y grows downwards: the maximum is the top of the bar.
    const top = Math.max(0, Math.floor(mid - hi * mid));
    const bottom = Math.min(height - 1, Math.ceil(mid - lo * mid));
    for (let y = top; y <= bottom; y++) pixels.set(WAVE_COLOUR, (y * width + x) * 4);
  }
  await sharp(pixels, { raw: { width, height, channels: 4 } })
    .png({ compressionLevel: 9 })
    .toFile(path);
  return { width, height };
}
