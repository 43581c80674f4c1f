import type { Kernels } from '../kernels/kernels.js';
import { chromaSize, type YuvaImage } from '../yuv-image.js';
import type { DepthMap } from './depth-map.js';
import { LEVEL_RADII, levelsOf } from './depth-of-field.js';

type PlaneName = 'y' | 'u' | 'v' | 'a' | 'a2';

function blankLike(img: YuvaImage): YuvaImage {
  const c = chromaSize(img.w) * chromaSize(img.h);
  return {
    w: img.w,
    h: img.h,
    y: new Uint8Array(img.w * img.h),
    u: new Uint8Array(c),
    v: new Uint8Array(c),
    a: img.a ? new Uint8Array(img.w * img.h) : null,
    a2: img.a2 ? new Uint8Array(c) : null,
  };
}

/**
 * Blurred versions of one picture for depth of field: level k is the picture blurred with radius
 * LEVEL_RADII[k] (level 0 is the picture itself), computed on first use and kept; a frame mixes the
 * two levels around the blur it needs (uniformly, or per pixel through a depth map). The last mix is
 * cached, so a still focus costs nothing after the first frame.
 */
export class BlurStack {
  #src: YuvaImage;
  readonly #k: Kernels;
  #levels: (YuvaImage | null)[] = [];
  /** Whether level k was computed from the current source. */
  #fresh: boolean[] = [];
  #mixed: YuvaImage | null = null;
  #mixedKey = '';

  constructor(source: YuvaImage, kernels: Kernels) {
    this.#src = source;
    this.#k = kernels;
  }

  /** Bytes held by the blurred levels and the mix. */
  get bytes(): number {
    const size = (i: YuvaImage | null) =>
      i ? i.y.length + i.u.length * 2 + (i.a?.length ?? 0) + (i.a2?.length ?? 0) : 0;
    return this.#levels.reduce((s, l, k) => s + (k > 0 ? size(l) : 0), 0) + size(this.#mixed);
  }

  /** A new source picture of the same size (a video's next frame): every level is recomputed on use. */
  setSource(source: YuvaImage): void {
    this.#src = source;
    this.#mixedKey = '';
    this.#fresh = [];
  }

  /** Drops the blurred levels (memory); they are recomputed when needed again. */
  release(): void {
    this.#levels = [];
    this.#fresh = [];
    this.#mixed = null;
    this.#mixedKey = '';
  }

  /** Level k, blurring it now if needed. */
  level(k: number): YuvaImage {
    if (k <= 0) return this.#src;
    const have = this.#levels[k];
    if (have && this.#fresh[k]) return have;
    const out = have ?? blankLike(this.#src);
    const src = this.#src;
    const r = LEVEL_RADII[Math.min(k, LEVEL_RADII.length - 1)]!;
    const rc = Math.max(1, Math.round(r / 2));
    const cw = chromaSize(src.w);
    const ch = chromaSize(src.h);
    const blur = this.#k.blurPlane;
    blur(out.y, src.y, src.a, src.w, src.h, r);
    blur(out.u, src.u, src.a2, cw, ch, rc);
    blur(out.v, src.v, src.a2, cw, ch, rc);
    if (src.a && out.a) blur(out.a, src.a, null, src.w, src.h, r);
    if (src.a2 && out.a2) blur(out.a2, src.a2, null, cw, ch, rc);
    this.#fresh[k] = true;
    this.#levels[k] = out;
    return out;
  }

  /** The picture blurred uniformly at a level position (`k << 8 | fraction`, depth-of-field.ts). */
  uniform(position: number): YuvaImage {
    const [k, k1] = levelsOf(position);
    const a = this.level(k!);
    if (k1 === undefined) return a;
    const key = `u${position}`;
    if (this.#mixedKey === key && this.#mixed) return this.#mixed;
    const b = this.level(k1);
    this.#mixed ??= blankLike(this.#src);
    const out = this.#mixed;
    const t = position & 255;
    for (const p of ['y', 'u', 'v', 'a', 'a2'] as const satisfies readonly PlaneName[]) {
      const pa = a[p];
      const pb = b[p];
      const po = out[p];
      if (pa && pb && po) this.#k.lerpPlane(po, pa, pb, t);
    }
    this.#mixedKey = key;
    return out;
  }

  /**
   * The picture blurred per pixel through a depth map of its size: `lut[map value]` is the level
   * position at that pixel. `key` names the lut (the mix is kept while the key stays the same).
   */
  mapped(depth: DepthMap, lut: Uint16Array, key: string): YuvaImage {
    if (this.#mixedKey === `m${key}` && this.#mixed) return this.#mixed;
    const { map, map2 } = depth;
    const needed = new Set<number>([0]);
    for (const v of depth.values) for (const k of levelsOf(lut[v]!)) needed.add(k);
    const levels: YuvaImage[] = [];
    const top = Math.min(LEVEL_RADII.length - 1, Math.max(...needed));
    for (let k = 0; k <= top; k++) levels.push(needed.has(k) ? this.level(k) : this.#src);
    this.#mixed ??= blankLike(this.#src);
    const out = this.#mixed;
    const mix = this.#k.mixLevels;
    mix(
      out.y,
      levels.map((l) => l.y),
      map,
      lut,
    );
    mix(
      out.u,
      levels.map((l) => l.u),
      map2,
      lut,
    );
    mix(
      out.v,
      levels.map((l) => l.v),
      map2,
      lut,
    );
    if (out.a)
      mix(
        out.a,
        levels.map((l) => l.a!),
        map,
        lut,
      );
    if (out.a2)
      mix(
        out.a2,
        levels.map((l) => l.a2!),
        map2,
        lut,
      );
    this.#mixedKey = `m${key}`;
    return out;
  }
}
