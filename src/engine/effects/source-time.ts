import { valueAt } from '../../timeline/animate.js';
import type { Keyframe } from '../../timeline/schema.js';

/** What decides which source instant a video clip shows: trim, speed or a speed ramp, freezes. */
export interface SourceTimeSpec {
  trimStart: number;
  speed: number;
  /** Keyframed speed (t in clip seconds); replaces `speed` when present. */
  speedRamp?: readonly Keyframe[] | undefined;
  /** Holds: when the source reaches `at` (source seconds), it stops for `duration` clip seconds. */
  freeze?: readonly { at: number; duration: number }[] | undefined;
}

/** Maps clip seconds to source seconds. */
export type SourceClock = (local: number) => number;

/** Whether a clip needs the source clock (a ramp or a freeze) rather than a constant speed. */
export function isRemapped(spec: SourceTimeSpec): boolean {
  return spec.speedRamp !== undefined || (spec.freeze?.length ?? 0) > 0;
}

/**
 * The source time of a clip as a function of clip time: trimStart plus the integral of the speed
 * (a ramp is integrated numerically, trapezoids of `step` seconds, exact for linear segments), with
 * the clock stopped for each freeze once the source reaches its `at`. Freezes are taken in order of
 * `at`; one the source never reaches never happens. Pure; the table covers [0, duration].
 */
export function sourceClock(spec: SourceTimeSpec, duration: number, step = 1 / 960): SourceClock {
  const ramp = spec.speedRamp;
  const speedAt = (l: number) => Math.max(0, ramp ? valueAt(ramp as Keyframe[], l) : spec.speed);
  const freezes = [...(spec.freeze ?? [])].sort((a, b) => a.at - b.at);
  // Breakpoints (clip time, source time); between two the source time is linear.
  const ls: number[] = [0];
  const ss: number[] = [spec.trimStart];
  let l = 0;
  let s = spec.trimStart;
  let next = 0;
  let v0 = speedAt(0);
  const holdIfReached = () => {
    while (next < freezes.length && freezes[next]!.at <= s + 1e-12) {
      const f = freezes[next++]!;
      if (f.at < s - 1e-12) continue; // passed before the clip began: never held
      l += f.duration;
      ls.push(l);
      ss.push(s);
    }
  };
  holdIfReached();
  const n = Math.max(1, Math.ceil(duration / step));
  const h = duration / n;
  while (l < duration - 1e-12) {
    const l1 = Math.min(duration, l + h);
    const v1 = speedAt(l1);
    const ds = ((v0 + v1) / 2) * (l1 - l);
    const f = freezes[next];
    if (f && ds > 0 && s + ds >= f.at) {
      // The source reaches the freeze inside this step: split the step there (linear within it).
      const part = (f.at - s) / ds;
      l += part * (l1 - l);
      s = f.at;
      ls.push(l);
      ss.push(s);
      v0 = speedAt(l);
      holdIfReached();
      continue;
    }
    l = l1;
    s += ds;
    v0 = v1;
    ls.push(l);
    ss.push(s);
  }
  return (local) => {
    if (local <= 0) return ss[0]!;
    // The last breakpoint at or before `local`.
    let lo = 0;
    let hi = ls.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ls[mid]! <= local) lo = mid;
      else hi = mid - 1;
    }
    const la = ls[lo]!;
    const lb = ls[lo + 1];
    if (lb === undefined || lb <= la) return ss[lo]!;
    return ss[lo]! + ((ss[lo + 1]! - ss[lo]!) * (local - la)) / (lb - la);
  };
}
