/** Points per axis of the compiled Y′CbCr → Y′CbCr LUT: code values 0, 8, …, 256. */
export const LUT_POINTS = 33;
/** Entries of the compiled LUT: three planes (Y′, Cb, Cr) of LUT_POINTS³, Y′ index fastest. */
export const LUT_LENGTH = 3 * LUT_POINTS ** 3;

/**
 * The per-frame grading kernels. All arithmetic is integer, so the native and JavaScript versions
 * produce identical bytes (a test compares them).
 */
export interface GradeKernels {
  readonly name: 'native' | 'javascript';
  /**
   * Grades an I420 frame in place. `lut` (LUT_LENGTH entries, code values × 16) maps each luma pixel
   * with its chroma sample, and each chroma sample with the rounded mean of its 2×2 luma block. `vy`
   * (w·h) and `vc` (chroma size) are vignette gains in 1/4096, scaling luma towards black (16) and
   * chroma towards neutral (128). Any of the three may be null.
   */
  gradeFrame(
    frame: Uint8Array,
    w: number,
    h: number,
    lut: Uint16Array | null,
    vy: Uint16Array | null,
    vc: Uint16Array | null,
  ): void;
  /**
   * Adds film grain to a luma plane: value noise on a grid hashed from `seed` (uint32), one node per
   * 65536 / `step` pixels, bilinearly upsampled; `gains[Y]` (0–8191) sets its strength by brightness.
   */
  grainPlane(y: Uint8Array, w: number, h: number, seed: number, step: number, gains: Int32Array): void;
}
