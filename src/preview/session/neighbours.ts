import { frameAt, frameTime } from '../../timeline/index.js';

/**
 * Times worth prefetching around `time` once the client stops: the next and previous one and two
 * frames, then one second either way, on the output's frame grid, inside [0, duration), nearest first.
 */
export function neighbourTimes(time: number, fps: number, duration: number | null): number[] {
  const here = frameAt(time, fps);
  const second = Math.max(1, Math.round(fps));
  const end = duration === null ? Number.POSITIVE_INFINITY : duration;
  const out: number[] = [];
  for (const step of [1, -1, 2, -2, second, -second]) {
    const i = here + step;
    if (i < 0) continue;
    const t = frameTime(i, fps);
    if (t >= end || out.includes(t)) continue;
    out.push(t);
  }
  return out;
}
