import type { Picture } from '../compositor.js';
import { linearScale } from '../geometry.js';
import type { Kernels } from '../kernels/kernels.js';
import type { Layer } from '../layers.js';
import type { YuvaImage } from '../yuv-image.js';
import { BlurStack } from './blur-stack.js';
import { type DepthMap, depthLut } from './depth-map.js';
import { blurAmount, DOF_MAX_SIGMA, levelPosition } from './depth-of-field.js';

/**
 * Depth-of-field pictures for a renderer: each clip's blur levels (kept per clip key, made on first
 * need), mixed for the layer's distance from focus — uniformly, or per pixel through the clip's depth
 * map. Blur is specified in drawn pixels (DOF_MAX_SIGMA of the frame height at amount 1) and turned
 * into picture pixels through the layer's current scale, so zooming in does not sharpen it.
 */
export class DofPictures {
  readonly #k: Kernels;
  readonly #frameHeight: number;
  readonly #stacks = new Map<string, BlurStack>();
  readonly #maps = new Map<string, DepthMap>();

  constructor(kernels: Kernels, frameHeight: number) {
    this.#k = kernels;
    this.#frameHeight = frameHeight;
  }

  /** Registers a clip's depth map (already at its prepared picture's size). */
  setDepthMap(key: string, map: DepthMap): void {
    this.#maps.set(key, map);
  }

  /** The clip's picture changed (a video's next frame): its blur levels are recomputed on use. */
  sourceChanged(key: string, image: YuvaImage): void {
    this.#stacks.get(key)?.setSource(image);
  }

  /** The picture to draw for `layer`, blurred as its depth of field says (`base` when sharp). */
  picture(layer: Layer, base: Picture): Picture {
    const dof = layer.dof;
    if (!dof) return base;
    const img = base.image;
    // Drawn pixels per picture pixel, now.
    const scale = linearScale(layer.forward) * (layer.size.w / img.w);
    if (!(scale > 0)) return base;
    const unit = (DOF_MAX_SIGMA * this.#frameHeight) / scale; // sigma in picture pixels at amount 1
    const key = layer.ref.key;
    const map = this.#maps.get(key);
    if (map && map.w === img.w && map.h === img.h) {
      const lut = depthLut(dof.focus, dof.strength, unit);
      return { ...base, image: this.#stack(key, img).mapped(map, lut, lut.join(',')) };
    }
    const position = levelPosition(blurAmount(dof.depth, dof.focus, dof.strength) * unit);
    if (position === 0) return base;
    return { ...base, image: this.#stack(key, img).uniform(position) };
  }

  #stack(key: string, img: YuvaImage): BlurStack {
    let s = this.#stacks.get(key);
    if (!s) {
      s = new BlurStack(img, this.#k);
      this.#stacks.set(key, s);
    }
    return s;
  }

  /** Frees the blur levels of clips not in `keep` (clips that ended); they are remade if needed again. */
  release(keep: (key: string) => boolean): void {
    for (const [key, s] of this.#stacks) {
      if (keep(key)) continue;
      s.release();
      this.#stacks.delete(key);
    }
  }

  /** Bytes held by blur levels. */
  get bytes(): number {
    let n = 0;
    for (const s of this.#stacks.values()) n += s.bytes;
    return n;
  }
}
