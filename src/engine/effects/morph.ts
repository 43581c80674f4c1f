import { type FileHandle, mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReelforgeError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { type Ffmpeg, runFfmpeg } from '../../media/index.js';
import type { YuvaImage } from '../yuv-image.js';
import { framePicture } from './frame-picture.js';

export interface MorphOptions {
  width: number;
  height: number;
  /** In-between steps from the first frame (0) to the last (steps): the transition's frames at the output rate. */
  steps: number;
  signal?: AbortSignal | undefined;
  log?: Logger | undefined;
}

/**
 * The motion-compensated filter that makes the in-betweens. Fed A, B, B at one frame per second it
 * emits `steps + 1` frames from A to B (minterpolate needs a frame after the last one it reaches).
 */
export function morphArgs(
  o: Pick<MorphOptions, 'width' | 'height' | 'steps'>,
  input: string,
  output: string,
): string[] {
  const filter = `minterpolate=fps=${o.steps}:mi_mode=mci:mc_mode=aobmc:me_mode=bidir:vsbmc=1:scd=none`;
  return [
    ...['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${o.width}x${o.height}`, '-r', '1', '-i', input],
    ...['-vf', filter, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-y', output],
  ];
}

/**
 * In-between frames of a morph, made once by ffmpeg (minterpolate, motion-compensated) from the
 * frame before and the frame after the transition, and kept as raw I420 in a temporary file: a
 * frame is read back on demand, so a long morph costs disk, not memory.
 */
export class MorphFrames {
  readonly steps: number;
  readonly #dir: string;
  readonly #file: FileHandle;
  readonly #count: number;
  readonly #buf: Uint8Array;
  readonly #image: YuvaImage;
  #loaded = -1;

  private constructor(dir: string, file: FileHandle, count: number, o: MorphOptions) {
    this.#dir = dir;
    this.#file = file;
    this.#count = count;
    this.steps = o.steps;
    this.#buf = new Uint8Array(frameBytes(o.width, o.height));
    this.#image = framePicture(this.#buf, o.width, o.height).image;
  }

  /** Runs the interpolation between two I420 frames (`from` at progress 0, `to` at 1). */
  static async create(ff: Ffmpeg, from: Uint8Array, to: Uint8Array, o: MorphOptions): Promise<MorphFrames> {
    const dir = await mkdtemp(join(tmpdir(), 'reelforge-morph-'));
    try {
      const input = join(dir, 'in.yuv');
      const output = join(dir, 'out.yuv');
      await writeFile(input, Buffer.concat([from, to, to]));
      await runFfmpeg(ff, morphArgs(o, input, output), { signal: o.signal, log: o.log });
      await rm(input, { force: true });
      const count = Math.floor((await stat(output)).size / frameBytes(o.width, o.height));
      if (count < 1) throw new ReelforgeError('RENDER_FAILED', 'morph: ffmpeg produced no in-between frames');
      return new MorphFrames(dir, await open(output, 'r'), count, o);
    } catch (e) {
      await rm(dir, { recursive: true, force: true });
      throw e;
    }
  }

  /** The in-between at `progress` 0–1 (the nearest step). The image is reused by the next call. */
  async frameAt(progress: number): Promise<YuvaImage> {
    const k = Math.min(this.#count - 1, Math.max(0, Math.round(progress * this.steps)));
    if (k !== this.#loaded) {
      const n = this.#buf.length;
      await this.#file.read(this.#buf, 0, n, k * n);
      this.#loaded = k;
    }
    return this.#image;
  }

  /** Closes and deletes the frames (idempotent). */
  async close(): Promise<void> {
    await this.#file.close().catch(() => undefined);
    await rm(this.#dir, { recursive: true, force: true });
  }
}

function frameBytes(w: number, h: number): number {
  return w * h + 2 * ((w + 1) >> 1) * ((h + 1) >> 1);
}
