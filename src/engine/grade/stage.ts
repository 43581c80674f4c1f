import { type Curve, createCurve, evalCurve } from './curve.js';

/** BT.709 luma weights, as in the compositor's colour conversion. */
export const KR = 0.2126;
export const KB = 0.0722;
export const KG = 1 - KR - KB;

export type Rgb = readonly [number, number, number];
/** Rows of a 3×3 channel mixer: out.r = row0 · (r, g, b), … */
export type Mat3 = readonly [Rgb, Rgb, Rgb];
export type CurvePoints = readonly (readonly [number, number])[];

/**
 * A set of colour operations, written the way the timeline's `grade` object and the named looks
 * write them. Every field is optional and neutral when left out.
 */
export interface GradeSpec {
  temperature?: number;
  tint?: number;
  lift?: number | Rgb;
  gamma?: number | Rgb;
  gain?: number | Rgb;
  saturation?: number;
  vibrance?: number;
  curves?: { master?: CurvePoints; r?: CurvePoints; g?: CurvePoints; b?: CurvePoints };
  /** Looks only: a channel mixer (a black-and-white mix for noir). */
  mix?: Mat3;
  /** Looks only: tints shadows and highlights towards hues (degrees), keeping luma. */
  splitTone?: { shadows?: { hue: number; amount: number }; highlights?: { hue: number; amount: number } };
}

/** A GradeSpec at some intensity, resolved into what the per-colour function needs. */
export interface Stage {
  /** R′G′B′ channel gains for temperature and tint, or null. */
  balance: Rgb | null;
  mix: Mat3 | null;
  lift: Rgb;
  gamma: Rgb;
  /** 1 / gamma: the exponent applied. */
  invGamma: Rgb;
  gain: Rgb;
  curves: { master: Curve | null; r: Curve | null; g: Curve | null; b: Curve | null };
  saturation: number;
  vibrance: number;
  /** Zero-luma offsets added in proportion to shadow and highlight weights. */
  shadows: Rgb | null;
  highlights: Rgb | null;
}

const rgb = (v: number | Rgb | undefined, neutral: number): Rgb =>
  v === undefined ? [neutral, neutral, neutral] : typeof v === 'number' ? [v, v, v] : v;
const lerp = (a: number, b: number, t: number) => a + (b - a) * t;
const scaleCurve = (p: CurvePoints | undefined, k: number) =>
  p ? createCurve(p.map(([x, y]) => [x, lerp(x, y, k)] as const)) : null;

/** A hue (degrees) as a fully saturated colour minus its luma: a direction that changes only chroma. */
function hueOffset(hue: number, amount: number): Rgb {
  const h = (((hue % 360) + 360) % 360) / 60;
  const x = 1 - Math.abs((h % 2) - 1);
  const [r, g, b] =
    h < 1
      ? [1, x, 0]
      : h < 2
        ? [x, 1, 0]
        : h < 3
          ? [0, 1, x]
          : h < 4
            ? [0, x, 1]
            : h < 5
              ? [x, 0, 1]
              : [1, 0, x];
  const y = KR * r + KG * g + KB * b;
  return [(r - y) * amount, (g - y) * amount, (b - y) * amount];
}

/**
 * Resolves a spec at intensity k (0 = neutral, 1 = as written): additive values scale, multipliers
 * move from 1, gamma moves geometrically (so 0.5 and 2 are equally strong), curve points move from
 * the diagonal and the mixer from the identity. Returns null when nothing would change.
 */
export function createStage(spec: GradeSpec, k: number): Stage | null {
  if (k <= 0) return null;
  const temperature = (spec.temperature ?? 0) * k;
  const tint = (spec.tint ?? 0) * k;
  let balance: Rgb | null = null;
  if (temperature !== 0 || tint !== 0) {
    // Amber–blue and green–magenta axes as linear-light gains, normalised so grey keeps its luminance.
    const r = 2 ** (0.4 * temperature);
    const g = 2 ** (-0.3 * tint);
    const b = 2 ** (-0.4 * temperature);
    const y = KR * r + KG * g + KB * b;
    // Gains k in linear light (a 2.4 power, BT.1886) are gains k^(1/2.4) on R′G′B′.
    balance = [(r / y) ** (1 / 2.4), (g / y) ** (1 / 2.4), (b / y) ** (1 / 2.4)];
  }
  const mix = spec.mix
    ? (spec.mix.map((row, i) => row.map((v, j) => lerp(i === j ? 1 : 0, v, k))) as unknown as Mat3)
    : null;
  const lift = rgb(spec.lift, 0).map((v) => v * k) as unknown as Rgb;
  const gamma = rgb(spec.gamma, 1).map((v) => v ** k) as unknown as Rgb;
  const gain = rgb(spec.gain, 1).map((v) => lerp(1, v, k)) as unknown as Rgb;
  const curves = {
    master: scaleCurve(spec.curves?.master, k),
    r: scaleCurve(spec.curves?.r, k),
    g: scaleCurve(spec.curves?.g, k),
    b: scaleCurve(spec.curves?.b, k),
  };
  const saturation = lerp(1, spec.saturation ?? 1, k);
  const vibrance = (spec.vibrance ?? 0) * k;
  const st = spec.splitTone;
  const shadows =
    st?.shadows && st.shadows.amount !== 0 ? hueOffset(st.shadows.hue, st.shadows.amount * k) : null;
  const highlights =
    st?.highlights && st.highlights.amount !== 0
      ? hueOffset(st.highlights.hue, st.highlights.amount * k)
      : null;
  const invGamma = gamma.map((v) => 1 / v) as unknown as Rgb;
  const stage: Stage = {
    balance,
    mix,
    lift,
    gamma,
    invGamma,
    gain,
    curves,
    saturation,
    vibrance,
    shadows,
    highlights,
  };
  return isIdentity(stage) ? null : stage;
}

function isIdentity(s: Stage): boolean {
  const same = (v: Rgb, n: number) => v[0] === n && v[1] === n && v[2] === n;
  const mixIdentity = !s.mix || s.mix.every((row, i) => row.every((v, j) => v === (i === j ? 1 : 0)));
  return (
    !s.balance &&
    mixIdentity &&
    same(s.lift, 0) &&
    same(s.gamma, 1) &&
    same(s.gain, 1) &&
    !s.curves.master &&
    !s.curves.r &&
    !s.curves.g &&
    !s.curves.b &&
    s.saturation === 1 &&
    s.vibrance === 0 &&
    !s.shadows &&
    !s.highlights
  );
}

/** x^p for any real x, mirrored for negatives so that out-of-range colours stay continuous. */
const bend = (x: number, p: number) => (p === 1 ? x : x < 0 ? -((-x) ** p) : x ** p);
const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/**
 * Applies a stage to one gamma-encoded BT.709 R′G′B′ colour (0 = black, 1 = white; values beyond
 * are allowed), in place. The order is fixed: temperature/tint, channel mix, lift/gamma/gain, curves
 * (master, then per channel), saturation and vibrance, split-tone.
 */
export function applyStage(s: Stage, c: Float64Array): void {
  let r = c[0]!;
  let g = c[1]!;
  let b = c[2]!;
  if (s.balance) {
    r *= s.balance[0];
    g *= s.balance[1];
    b *= s.balance[2];
  }
  if (s.mix) {
    const [m0, m1, m2] = s.mix;
    const r2 = m0[0] * r + m0[1] * g + m0[2] * b;
    const g2 = m1[0] * r + m1[1] * g + m1[2] * b;
    b = m2[0] * r + m2[1] * g + m2[2] * b;
    r = r2;
    g = g2;
  }
  // Lift raises black and keeps white, gamma bends the middle and keeps both, gain scales white.
  r = bend(r + s.lift[0] * (1 - r), s.invGamma[0]) * s.gain[0];
  g = bend(g + s.lift[1] * (1 - g), s.invGamma[1]) * s.gain[1];
  b = bend(b + s.lift[2] * (1 - b), s.invGamma[2]) * s.gain[2];
  const { master, r: cr, g: cg, b: cb } = s.curves;
  if (master) {
    r = evalCurve(master, r);
    g = evalCurve(master, g);
    b = evalCurve(master, b);
  }
  if (cr) r = evalCurve(cr, r);
  if (cg) g = evalCurve(cg, g);
  if (cb) b = evalCurve(cb, b);
  if (s.saturation !== 1 || s.vibrance !== 0) {
    const y = KR * r + KG * g + KB * b;
    let f = s.saturation;
    if (s.vibrance !== 0) {
      // Vibrance saturates muted colours most and vivid ones hardly; raising it spares skin tones.
      const cr1 = clamp01(r);
      const cg1 = clamp01(g);
      const cb1 = clamp01(b);
      const hi = Math.max(cr1, cg1, cb1);
      const chroma = hi - Math.min(cr1, cg1, cb1);
      let w = 1 - chroma;
      if (s.vibrance > 0 && chroma > 0) w *= 1 - 0.6 * skinWeight(cr1, cg1, cb1, hi, chroma);
      f *= 1 + s.vibrance * w;
    }
    r = y + f * (r - y);
    g = y + f * (g - y);
    b = y + f * (b - y);
  }
  if (s.shadows || s.highlights) {
    // Weights peak at a third and two thirds of the range and vanish at black and white, so the
    // black and white points stay neutral.
    const l = clamp01(KR * r + KG * g + KB * b);
    const ws = 6.75 * l * (1 - l) * (1 - l);
    const wh = 6.75 * l * l * (1 - l);
    if (s.shadows) {
      r += ws * s.shadows[0];
      g += ws * s.shadows[1];
      b += ws * s.shadows[2];
    }
    if (s.highlights) {
      r += wh * s.highlights[0];
      g += wh * s.highlights[1];
      b += wh * s.highlights[2];
    }
  }
  c[0] = r;
  c[1] = g;
  c[2] = b;
}

/** 1 for hues around skin (orange, about 25°), falling to 0 by 25° either side. */
function skinWeight(r: number, g: number, b: number, hi: number, chroma: number): number {
  if (hi !== r) return 0;
  const hue = 60 * ((g - b) / chroma); // −60..60 when red is the largest channel
  const d = Math.abs(hue - 25) / 25;
  return d >= 1 ? 0 : (1 - d) * (1 - d);
}
