import type { Rgba } from '../color.js';
import { Compositor, type Picture } from '../compositor.js';
import type { Grade } from '../grade/index.js';
import type { Kernels } from '../kernels/kernels.js';
import type { Layer } from '../layers.js';
import { ShutterCompositor } from './shutter.js';
import { upscaleFrame } from './upscale.js';

export interface EffectCompositorOptions {
  /** The output frame's size. */
  width: number;
  height: number;
  /** The size layers are drawn at (params.resolutionScale); the output size when equal. */
  drawWidth: number;
  drawHeight: number;
  background: Rgba;
  kernels: Kernels;
}

/**
 * The last steps of every frame, after the renderer has found its layers and pictures: compositing
 * with motion blur (ShutterCompositor) at the drawing size, the colour grade on the composite, and the
 * bilinear scale up to the output size when drawing smaller (params.resolutionScale).
 */
export class EffectCompositor {
  /** Draws output-size frames (its frameBytes is the size of the frames `draw` fills). */
  readonly output: Compositor;
  /** Draws at the drawing size (the output compositor when the sizes are equal). */
  readonly drawing: Compositor;
  grade: Grade | null = null;
  readonly #o: EffectCompositorOptions;
  readonly #shutter: ShutterCompositor;
  #small: Uint8Array | null = null;
  #samples = 0;
  #frames = 0;

  constructor(o: EffectCompositorOptions) {
    this.#o = o;
    this.output = new Compositor(o.width, o.height, o.background, o.kernels);
    const scaled = o.drawWidth !== o.width || o.drawHeight !== o.height;
    this.drawing = scaled ? new Compositor(o.drawWidth, o.drawHeight, o.background, o.kernels) : this.output;
    this.#shutter = new ShutterCompositor(this.drawing, o.drawWidth, o.drawHeight, o.background, o.kernels);
  }

  /** Mean motion-blur samples per frame drawn so far (1 when nothing moved). */
  get meanSamples(): number {
    return this.#frames ? this.#samples / this.#frames : 0;
  }

  /**
   * Composites `layers` into `into` (an output frame of output.frameBytes, or alphaFrameBytes for a
   * transparent one); `frameIndex` seeds the grade's grain.
   */
  draw(into: Uint8Array, layers: readonly Layer[], picture: (l: Layer) => Picture, frameIndex: number): void {
    const o = this.#o;
    let target = into;
    if (this.drawing !== this.output) {
      const alpha = into.length !== this.output.frameBytes;
      const bytes = alpha ? this.drawing.alphaFrameBytes : this.drawing.frameBytes;
      if (this.#small?.length !== bytes) this.#small = new Uint8Array(bytes);
      target = this.#small;
    }
    this.#samples += this.#shutter.draw(target, layers, picture);
    this.#frames++;
    this.grade?.apply(target, frameIndex);
    if (target !== into) upscaleFrame(o.kernels, target, o.drawWidth, o.drawHeight, into, o.width, o.height);
  }
}
