/** Layout of the `params` array passed to affineBlend. */
export const BLEND_PARAMS = {
  /** m0..m5: the destination → source affine map: u = m0·x + m1·y + m2, v = m3·x + m4·y + m5. */
  matrix: 0,
  /** 0 … 65536. */
  opacity: 6,
  /** Destination rectangle x0, y0, x1, y1 (exclusive ends) that may be touched. */
  rect: 7,
  /** Destination pixels per source pixel along the source's u axis, for anti-aliased edges. */
  aa: 11,
  /** The source window u0, v0, u1, v1 (in source pixels) that is shown; outside it nothing is drawn. */
  window: 12,
  /** Destination pixels per source pixel along the source's v axis. */
  aaV: 16,
  length: 17,
} as const;

/** Kernels of the cinematic effects: motion-blur accumulation, depth-of-field blur and level mixing. */
export interface EffectKernels {
  /** Adds every byte of `src` to the same index of `acc` (a motion-blur sample into the sum). */
  accumulate(acc: Uint16Array, src: Uint8Array): void;
  /** `dst[i] = round(acc[i] / count)` for a count of 1–256 samples. */
  resolveAccumulator(acc: Uint16Array, count: number, dst: Uint8Array): void;
  /**
   * Blurs a w×h plane with three box passes of `radius` each way (close to a Gaussian of sigma
   * √(radius·(radius+1))), edges clamped. With `weight` (an alpha plane) colours are averaged in
   * proportion to it, so hidden pixels do not bleed in. `dst` may not be `src`.
   */
  blurPlane(
    dst: Uint8Array,
    src: Uint8Array,
    weight: Uint8Array | null,
    w: number,
    h: number,
    radius: number,
  ): void;
  /** `dst = a + (b − a) · t / 256` per byte, t in 0–256. */
  lerpPlane(dst: Uint8Array, a: Uint8Array, b: Uint8Array, t: number): void;
  /**
   * Per pixel, mixes two neighbouring planes of `levels`: `p = lut[map[i]]` names level `p >> 8` and
   * the weight `(p & 255) / 256` of the next one (depth maps: a blur level per depth value).
   */
  mixLevels(dst: Uint8Array, levels: readonly Uint8Array[], map: Uint8Array, lut: Uint16Array): void;
}

/** The pixel kernels every compositor operation reduces to. */
export interface Kernels extends EffectKernels {
  readonly name: 'native' | 'javascript';
  /** Blends `src` (one plane, with an optional alpha plane of the same size) into `dst` through an affine map. */
  affineBlend(
    dst: Uint8Array,
    dw: number,
    dh: number,
    src: Uint8Array,
    sw: number,
    sh: number,
    alpha: Uint8Array | null,
    params: Float64Array,
  ): void;
  /** Maps every byte of `plane` through a 256-entry table, in place. */
  lutPlane(plane: Uint8Array, lut: Uint8Array): void;
  /**
   * Straight-alpha RGBA → Y′CbCr 4:2:0 planes (chroma: the alpha-weighted mean of each 2×2 block, so
   * transparent pixels do not tint edges). `a`/`a2` (full and chroma size) are filled when given.
   * `tables` packs the nine 256-entry fixed-point tables of createYuvTables: yr yg yb ur ug ub vr vg vb.
   */
  rgbaToYuv(
    rgba: Uint8Array | Uint8ClampedArray,
    w: number,
    h: number,
    y: Uint8Array,
    u: Uint8Array,
    v: Uint8Array,
    a: Uint8Array | null,
    a2: Uint8Array | null,
    tables: Int32Array,
  ): void;
}
