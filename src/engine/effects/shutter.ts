import type { Compositor, Picture } from '../compositor.js';
import type { Kernels } from '../kernels/kernels.js';
import type { Layer } from '../layers.js';
import { frameLayer, framePicture } from './frame-picture.js';

/**
 * Draws a frame whose layers may carry motion poses (effects/motion-blur.ts): the still layers
 * under the first moving one are drawn once, the moving part once per sample into an accumulator,
 * and the still layers over the last moving one once on the average (blending over a frame is linear
 * in that frame, so this equals averaging whole frames). Buffers are allocated on first use only.
 */
export class ShutterCompositor {
  readonly #c: Compositor;
  readonly #k: Kernels;
  readonly #w: number;
  readonly #h: number;
  #base: Uint8Array | null = null;
  #sample: Uint8Array | null = null;
  #mid: Uint8Array | null = null;
  #acc: Uint16Array | null = null;
  readonly #layer: Layer;

  constructor(compositor: Compositor, width: number, height: number, kernels: Kernels) {
    this.#c = compositor;
    this.#k = kernels;
    this.#w = width;
    this.#h = height;
    this.#layer = frameLayer(width, height);
  }

  /** Draws `layers` into `frame`; returns how many samples the moving part took (1 when none moves). */
  draw(frame: Uint8Array, layers: readonly Layer[], picture: (l: Layer) => Picture): number {
    const first = layers.findIndex((l) => l.motion);
    if (first < 0) {
      this.#c.draw(frame, layers, picture);
      return 1;
    }
    let last = first;
    for (let i = first; i < layers.length; i++) if (layers[i]!.motion) last = i;
    const n = layers[first]!.motion!.length;
    const bytes = this.#c.frameBytes;
    const frameLayerPic = (buf: Uint8Array) => framePicture(buf, this.#w, this.#h);
    const prefix = layers.slice(0, first);
    const middle = layers.slice(first, last + 1);
    const suffix = layers.slice(last + 1);
    let basePic: Picture | null = null;
    if (prefix.length > 0) {
      this.#base ??= new Uint8Array(bytes);
      this.#c.draw(this.#base, prefix, picture);
      basePic = frameLayerPic(this.#base);
    }
    this.#sample ??= new Uint8Array(bytes);
    this.#acc ??= new Uint16Array(bytes);
    const acc = this.#acc;
    acc.fill(0);
    // Each layer's picture is resolved once, whatever its pose.
    const pics = new Map<Layer, Picture>();
    const picOf = (l: Layer): Picture => {
      let p = pics.get(l);
      if (!p) {
        p = picture(l);
        pics.set(l, p);
      }
      return p;
    };
    const sampleLayers: Layer[] = [];
    const origin = new Map<Layer, Layer>();
    for (let i = 0; i < n; i++) {
      sampleLayers.length = 0;
      origin.clear();
      if (basePic) sampleLayers.push(this.#layer);
      for (const l of middle) {
        const pose = l.motion?.[i];
        const d = pose ? { ...l, ...pose } : l;
        origin.set(d, l);
        sampleLayers.push(d);
      }
      this.#c.draw(this.#sample, sampleLayers, (d) =>
        d === this.#layer ? basePic! : picOf(origin.get(d) ?? d),
      );
      this.#k.accumulate(acc, this.#sample);
    }
    if (suffix.length === 0) {
      this.#k.resolveAccumulator(acc, n, frame);
      return n;
    }
    this.#mid ??= new Uint8Array(bytes);
    this.#k.resolveAccumulator(acc, n, this.#mid);
    const midPic = frameLayerPic(this.#mid);
    this.#c.draw(frame, [this.#layer, ...suffix], (l) => (l === this.#layer ? midPic : picture(l)));
    return n;
  }
}
