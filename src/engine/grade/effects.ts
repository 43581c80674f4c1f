/** Vignette as the grading kernels take it: gains in 1/4096 for every luma pixel and chroma sample. */
export interface VignetteMaps {
  y: Uint16Array;
  c: Uint16Array;
}

/** Vignette settings as applied (amount already scaled by params.grade). */
export interface VignetteSpec {
  amount: number;
  radius: number;
  softness: number;
}

const smoothstep = (a: number, b: number, x: number) => {
  if (b <= a) return x < a ? 0 : 1;
  const t = Math.min(1, Math.max(0, (x - a) / (b - a)));
  return t * t * (3 - 2 * t);
};

/**
 * The vignette's gain at a point given as fractions of the frame: an ellipse fitted to the frame,
 * r = 0 at the centre and 1 in the corners; the darkening reaches half strength at `radius` over a
 * transition `softness` wide.
 */
export function vignetteGain(v: VignetteSpec, fx: number, fy: number): number {
  const dx = fx * 2 - 1;
  const dy = fy * 2 - 1;
  const r = Math.sqrt((dx * dx + dy * dy) / 2);
  return 1 - v.amount * smoothstep(v.radius - v.softness / 2, v.radius + v.softness / 2, r);
}

/**
 * Precomputes the vignette for one frame size. Scaling luma towards black and chroma towards
 * neutral by the same gain is exactly a scaling of R′G′B′, so colours darken without shifting hue.
 */
export function vignetteMaps(v: VignetteSpec, w: number, h: number): VignetteMaps {
  const cw = (w + 1) >> 1;
  const ch = (h + 1) >> 1;
  const y = new Uint16Array(w * h);
  const c = new Uint16Array(cw * ch);
  const q = (g: number) => Math.round(Math.min(1, Math.max(0, g)) * 4096);
  // The gain is symmetric about both centre lines: compute a quadrant and mirror it.
  for (let yy = 0; yy < (h + 1) >> 1; yy++) {
    const r0 = yy * w;
    const r1 = (h - 1 - yy) * w;
    for (let xx = 0; xx < (w + 1) >> 1; xx++) {
      const g = q(vignetteGain(v, (xx + 0.5) / w, (yy + 0.5) / h));
      y[r0 + xx] = g;
      y[r0 + w - 1 - xx] = g;
      y[r1 + xx] = g;
      y[r1 + w - 1 - xx] = g;
    }
  }
  // A chroma sample sits at the centre of its 2×2 block.
  for (let yy = 0; yy < ch; yy++) {
    const fy = Math.min(2 * yy + 1, h) / h;
    for (let xx = 0; xx < cw; xx++) c[yy * cw + xx] = q(vignetteGain(v, Math.min(2 * xx + 1, w) / w, fy));
  }
  return { y, c };
}

/** Film grain as the grading kernel takes it. */
export interface GrainParams {
  /** Grid step in 1/65536 of a grid cell per pixel. */
  step: number;
  /** Strength by luma code value, 0–8191. */
  gains: Int32Array;
}

/**
 * Grain settings for a frame `height` pixels high. `size` is the grain's size in pixels at 1080p, so
 * a preview at a smaller scale shows the same pattern; the strength peaks in the midtones (as film
 * grain shows most there) and is a third of it at black and white. At amount 1 the midtone noise has
 * a standard deviation of about 8 code values.
 */
export function grainParams(amount: number, size: number, height: number): GrainParams {
  const cell = Math.max(0.5, (size * height) / 1080);
  const step = Math.round(65536 / cell);
  // Interpolating between grid nodes averages the noise; make up for the variance lost, per axis the
  // mean of (1 − t)² + t² over the pixels' positions t between nodes, so grain of any size is as strong.
  let kept = 0;
  const n = 1024;
  for (let x = 0; x < n; x++) {
    const t = ((x * step) >> 8) & 255;
    kept += ((256 - t) ** 2 + t * t) / 65536 / n;
  }
  const boost = 1 / kept;
  const gains = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    const l = Math.min(1, Math.max(0, (i - 16) / 219));
    const weight = 0.33 + 0.67 * 4 * l * (1 - l);
    gains[i] = Math.min(8191, Math.round(amount * 3600 * boost * weight));
  }
  return { step, gains };
}

/** The grain seed of a frame: mixed from its index, so each frame differs and preview equals export. */
export function grainSeed(frameIndex: number): number {
  let x = (Math.trunc(frameIndex) ^ 0x5bd1e995) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}
