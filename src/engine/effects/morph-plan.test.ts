import { describe, expect, it } from 'vitest';
import { parseTimeline } from '../../timeline/index.js';
import { IDENTITY } from '../geometry.js';
import type { Layer } from '../layers.js';
import { cullUnderMorph, planMorphs, stackUpTo } from './morph-plan.js';

function layer(track: number, index: number, extra: Partial<Layer> = {}): Layer {
  return {
    ref: { track, index, key: `t${track}.c${index}` },
    kind: 'picture',
    color: null,
    forward: IDENTITY,
    window: [0, 0, 10, 10],
    opacity: 1,
    clipRect: null,
    local: 0,
    size: { w: 10, h: 10 },
    ...extra,
  };
}

describe('morph planning', () => {
  const tl = parseTimeline({
    output: { width: 160, height: 90, fps: 30 },
    tracks: [
      {
        clips: [
          {
            type: 'image',
            src: 'a.png',
            start: 0,
            duration: 3,
            transitionOut: { type: 'morph', duration: 0.5 },
          },
          {
            type: 'image',
            src: 'b.png',
            start: 2,
            duration: 3,
            transitionIn: { type: 'morph', duration: 1 },
          },
          {
            type: 'image',
            src: 'c.png',
            start: 5,
            duration: 1,
            transitionIn: { type: 'crossfade', duration: 1 },
          },
        ],
      },
    ],
  });

  it('plans each morph over its written window at the output rate', () => {
    const plans = planMorphs(tl, 30, () => 3);
    expect(plans.map((p) => [p.ref.key, p.side, p.steps])).toEqual([
      ['t0.c0', 'out', 15],
      ['t0.c1', 'in', 30],
    ]);
    const [out, inn] = plans;
    expect(out!.from).toEqual({ at: 2.5, withClip: true });
    expect(out!.to.withClip).toBe(false);
    expect(out!.to.at).toBeCloseTo(3, 5);
    expect(inn!.from).toEqual({ at: 2, withClip: false });
    expect(inn!.to).toEqual({ at: 3 - 1e-6, withClip: true });
  });

  it('draws a morph frame from the stack under the clip (and the clip when asked)', () => {
    const ls = [layer(0, 0), layer(0, 1), layer(0, 1, { morph: { side: 'in', progress: 0.5 } }), layer(1, 0)];
    expect(stackUpTo(ls, ls[1]!.ref, false).map((l) => l.ref.key)).toEqual(['t0.c0']);
    expect(stackUpTo(ls, ls[1]!.ref, true).map((l) => l.ref.key)).toEqual(['t0.c0', 't0.c1']);
  });

  it('drops what an opaque morph frame covers, or the morphs when they are off', () => {
    const m = layer(0, 1, { morph: { side: 'in', progress: 0.5 } });
    const ls = [layer(0, 0), layer(0, 1), m, layer(1, 0)];
    expect(cullUnderMorph(ls, true)).toEqual([m, ls[3]]);
    const half = { ...m, opacity: 0.5 };
    expect(cullUnderMorph([ls[0]!, half], true)).toEqual([ls[0], half]);
    expect(cullUnderMorph(ls, false)).toEqual([ls[0], ls[1], ls[3]]);
  });
});
