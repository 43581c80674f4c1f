/** Layout of the `params` array passed to affineBlend. */
export const BLEND_PARAMS = {
  /** m0..m5: the destination → source affine map: u = m0·x + m1·y + m2, v = m3·x + m4·y + m5. */
  matrix: 0,
  /** 0 … 65536. */
  opacity: 6,
  /** Destination rectangle x0, y0, x1, y1 (exclusive ends) that may be touched. */
  rect: 7,
  /** Destination pixels per source pixel, for anti-aliased edges. */
  aa: 11,
  /** The source window u0, v0, u1, v1 (in source pixels) that is shown; outside it nothing is drawn. */
  window: 12,
  length: 16,
} as const;

/** The pixel kernels every compositor operation reduces to. */
export interface Kernels {
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
}
