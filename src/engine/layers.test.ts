import { describe, expect, it } from 'vitest';
import {
  clipDuration,
  parseTimeline,
  type Timeline,
  type TimelineInput,
  type Transition,
} from '../timeline/index.js';
import { apply } from './geometry.js';
import { type ClipRef, clipLayers, type Layer, type LayerContext, layersAt } from './layers.js';

const W = 160;
const H = 90;

function timeline(tracks: TimelineInput['tracks'], params: TimelineInput['params'] = {}): Timeline {
  return parseTimeline({ output: { width: W, height: H, duration: 10 }, params, tracks });
}

/** A LayerContext over plain data: picture sizes by clip key (default: the output size). */
function context(tl: Timeline, sizes: Record<string, { w: number; h: number }> = {}): LayerContext {
  return {
    width: W,
    height: H,
    pictureSize: (ref) => sizes[ref.key] ?? { w: W, h: H },
    clipDuration: (ref) => {
      const clip = tl.tracks[ref.track]!.clips[ref.index]!;
      return clipDuration(clip) ?? 1;
    },
  };
}

const ref0: ClipRef = { track: 0, index: 0, key: 't0.c0' };

/** The layers of the first clip of the first track at t. */
function layersOf(tl: Timeline, t: number, sizes?: Record<string, { w: number; h: number }>): Layer[] {
  const clip = tl.tracks[0]!.clips[0]!;
  if (clip.type === 'audio') throw new Error('not visual');
  return clipLayers(tl, clip, ref0, t, context(tl, sizes));
}

function onlyLayer(tl: Timeline, t: number, sizes?: Record<string, { w: number; h: number }>): Layer {
  const layers = layersOf(tl, t, sizes);
  expect(layers).toHaveLength(1);
  return layers[0]!;
}

/** Where the picture's corners land in the frame. */
function corners(l: Layer): [number, number][] {
  const { w, h } = l.size;
  return [apply(l.forward, 0, 0), apply(l.forward, w, 0), apply(l.forward, w, h), apply(l.forward, 0, h)];
}

function expectPoint(p: [number, number], x: number, y: number): void {
  expect(p[0]).toBeCloseTo(x, 6);
  expect(p[1]).toBeCloseTo(y, 6);
}

const image = (extra: Record<string, unknown> = {}) =>
  ({ type: 'image', src: 'a.png', start: 0, duration: 2, ...extra }) as const;

describe('fit', () => {
  const wide = { 't0.c0': { w: 200, h: 100 } }; // 2:1 into 16:9

  it('cover scales to fill the frame and crops the overflow, centred', () => {
    const l = onlyLayer(timeline([{ clips: [image({ fit: 'cover' })] }]), 0, wide);
    // scale max(160/200, 90/100) = 0.9: 180×90, 10 pixels cut on each side.
    expectPoint(corners(l)[0]!, -10, 0);
    expectPoint(corners(l)[2]!, 170, 90);
    expect(l.window[0]).toBeCloseTo(10 / 0.9, 9);
    expect(l.window[2]).toBeCloseTo(170 / 0.9, 9);
    expect([l.window[1], l.window[3]]).toEqual([0, 100]);
  });

  it('contain scales to fit inside and centres (letterbox)', () => {
    const l = onlyLayer(timeline([{ clips: [image({ fit: 'contain' })] }]), 0, wide);
    // scale min(0.8, 0.9) = 0.8: 160×80 with 5 pixels above and below.
    expectPoint(corners(l)[0]!, 0, 5);
    expectPoint(corners(l)[2]!, 160, 85);
    expect(l.window).toEqual([0, 0, 200, 100]);
  });

  it('fill stretches to the frame exactly', () => {
    const l = onlyLayer(timeline([{ clips: [image({ fit: 'fill' })] }]), 0, wide);
    expectPoint(corners(l)[0]!, 0, 0);
    expectPoint(corners(l)[2]!, 160, 90);
    expect(l.forward[0]).toBeCloseTo(0.8, 12);
    expect(l.forward[4]).toBeCloseTo(0.9, 12);
  });
});

describe('camera', () => {
  const cam = (camera: unknown, cameraSpeed = 1) =>
    timeline([{ clips: [image({ camera })] }], { cameraSpeed });

  it('zooms about the point in view: zoom 2 on the centre shows the middle half', () => {
    const l = onlyLayer(cam({ from: { zoom: 2 }, to: { zoom: 2 } }), 0);
    expect(l.window).toEqual([40, 22.5, 120, 67.5]);
    expectPoint(apply(l.forward, 40, 22.5), 0, 0);
    expectPoint(apply(l.forward, 120, 67.5), 160, 90);
  });

  it('keeps the window inside the picture when the point in view is at an edge', () => {
    for (const [x, y] of [
      [0, 0],
      [1, 1],
      [0, 1],
      [0.05, 0.95],
    ]) {
      const l = onlyLayer(cam({ from: { zoom: 2, x, y }, to: { zoom: 2, x, y } }), 0);
      const [u0, v0, u1, v1] = l.window;
      expect(u0).toBeGreaterThanOrEqual(0);
      expect(v0).toBeGreaterThanOrEqual(0);
      expect(u1).toBeLessThanOrEqual(W);
      expect(v1).toBeLessThanOrEqual(H);
      expect(u1 - u0).toBeCloseTo(W / 2, 9);
      expect(v1 - v0).toBeCloseTo(H / 2, 9);
      // The frame is covered: the window's corners land on the frame's corners.
      expectPoint(apply(l.forward, u0, v0), 0, 0);
      expectPoint(apply(l.forward, u1, v1), W, H);
    }
    const topLeft = onlyLayer(cam({ from: { zoom: 2, x: 0, y: 0 }, to: { zoom: 2, x: 0, y: 0 } }), 0);
    expect(topLeft.window).toEqual([0, 0, 80, 45]);
  });

  it('moves from → to over the clip with its easing', () => {
    const tl = cam({ from: { zoom: 1 }, to: { zoom: 3 }, easing: 'linear' });
    const widthAt = (t: number) => {
      const [u0, , u1] = onlyLayer(tl, t).window;
      return u1 - u0;
    };
    expect(widthAt(0)).toBeCloseTo(160, 9);
    expect(widthAt(1)).toBeCloseTo(80, 9); // zoom 2 half-way
    expect(widthAt(1.5)).toBeCloseTo(160 / 2.5, 9);
  });

  it('params.cameraSpeed 0 holds the first position; 1 moves as written', () => {
    const move = { from: { zoom: 1 }, to: { zoom: 2, x: 0.25, y: 0.25 }, easing: 'linear' };
    const still = onlyLayer(cam(move, 0), 1.9);
    expect(still.window).toEqual([0, 0, 160, 90]);
    const moving = onlyLayer(cam(move, 1), 1.9);
    expect(moving.window[2] - moving.window[0]).toBeLessThan(100);
  });
});

describe('transform', () => {
  const withTransform = (transform: Record<string, unknown>) =>
    timeline([{ clips: [{ type: 'color', color: '#ff0000', start: 0, duration: 2, transform }] }]);

  it('position moves the centre by fractions of the frame', () => {
    const l = onlyLayer(withTransform({ x: 0.25, y: 0.75 }), 0);
    expectPoint(apply(l.forward, 80, 45), 40, 67.5);
  });

  it('scale shrinks about the centre', () => {
    const l = onlyLayer(withTransform({ scale: 0.5 }), 0);
    expectPoint(corners(l)[0]!, 40, 22.5);
    expectPoint(corners(l)[2]!, 120, 67.5);
  });

  it('rotation turns clockwise on screen about the centre', () => {
    const l = onlyLayer(withTransform({ rotation: 90 }), 0);
    expectPoint(apply(l.forward, 80, 45), 80, 45);
    // Clockwise with y pointing down: the top-left corner, at (−80, −45) from the centre, swings to the
    // upper right, at (45, −80).
    expectPoint(apply(l.forward, 0, 0), 80 + 45, 45 - 80);
  });

  it('opacity multiplies, and a layer at opacity 0 is not drawn', () => {
    expect(onlyLayer(withTransform({ opacity: 0.3 }), 0).opacity).toBeCloseTo(0.3, 12);
    expect(layersOf(withTransform({ opacity: 0 }), 0)).toEqual([]);
  });

  it('keyframes interpolate with the easing of the segment that starts at each key', () => {
    const tl = withTransform({
      x: [
        { t: 0, value: 0.2 },
        { t: 1, value: 0.8 },
      ],
      scale: [
        { t: 0, value: 1, easing: 'hold' },
        { t: 1, value: 2 },
      ],
      opacity: [
        { t: 0, value: 0, easing: 'ease-in' },
        { t: 1, value: 1 },
      ],
    });
    const mid = onlyLayer(tl, 0.5);
    expectPoint(apply(mid.forward, 80, 45), 80, 45); // linear x half-way = 0.5
    expect(mid.forward[0]).toBeCloseTo(1, 12); // scale held at 1
    expect(mid.opacity).toBeGreaterThan(0.2);
    expect(mid.opacity).toBeLessThan(0.5); // ease-in is behind linear half-way
    const end = onlyLayer(tl, 1.5);
    expectPoint(apply(end.forward, 80, 45), 0.8 * W, 45);
    expect(end.forward[0]).toBeCloseTo(2, 12);
    expect(end.opacity).toBe(1);
  });
});

describe('transitions (linear, 1 s, on a clip from 1 s to 3 s)', () => {
  const withIn = (
    transition: Pick<Transition, 'type'> & Partial<Transition>,
    params: TimelineInput['params'] = {},
  ) =>
    timeline(
      [
        {
          clips: [
            {
              type: 'color',
              color: '#00ff00',
              start: 1,
              duration: 2,
              transitionIn: { duration: 1, easing: 'linear', ...transition },
            },
          ],
        },
      ],
      params,
    );
  const at = [0, 0.5, 1] as const; // progress p; time = 1 + p

  it('crossfade: opacity p', () => {
    const tl = withIn({ type: 'crossfade' });
    expect(layersOf(tl, 1)).toEqual([]);
    expect(onlyLayer(tl, 1.5).opacity).toBeCloseTo(0.5, 12);
    expect(onlyLayer(tl, 2).opacity).toBe(1);
  });

  it('fade: the picture at full opacity under an overlay of the colour at 1 − p', () => {
    const tl = withIn({ type: 'fade', color: '#102030' });
    for (const p of at) {
      const layers = layersOf(tl, 1 + p);
      expect(layers[0]!.kind).toBe('picture');
      expect(layers[0]!.opacity).toBe(1);
      if (p === 1) {
        expect(layers).toHaveLength(1);
        continue;
      }
      expect(layers).toHaveLength(2);
      expect(layers[1]!.kind).toBe('overlay');
      expect(layers[1]!.color).toEqual([0x10, 0x20, 0x30, 255]);
      expect(layers[1]!.opacity).toBeCloseTo(1 - p, 12);
      expect(layers[1]!.forward).toEqual(layers[0]!.forward);
    }
  });

  it('zoom: opacity p and a scale of 1 + 0.2·(1 − p)', () => {
    const tl = withIn({ type: 'zoom' });
    expect(layersOf(tl, 1)).toEqual([]);
    const mid = onlyLayer(tl, 1.5);
    expect(mid.opacity).toBeCloseTo(0.5, 12);
    expect(mid.forward[0]).toBeCloseTo(1.1, 12);
    expectPoint(apply(mid.forward, 80, 45), 80, 45);
    expect(onlyLayer(tl, 2).forward[0]).toBeCloseTo(1, 12);
  });

  it.each([
    ['left', -1, 0],
    ['right', 1, 0],
    ['up', 0, -1],
    ['down', 0, 1],
  ] as const)('slide from the %s: offset (1 − p) frames that way', (direction, sx, sy) => {
    const tl = withIn({ type: 'slide', direction });
    for (const p of at) {
      const l = onlyLayer(tl, 1 + p);
      expect(l.opacity).toBe(1);
      expectPoint(apply(l.forward, 0, 0), sx * (1 - p) * W, sy * (1 - p) * H);
    }
  });

  it.each([
    ['left', (p: number) => [0, 0, p * W, H]],
    ['right', (p: number) => [(1 - p) * W, 0, W, H]],
    ['up', (p: number) => [0, 0, W, p * H]],
    ['down', (p: number) => [0, (1 - p) * H, W, H]],
  ] as const)('wipe from the %s: a clip rectangle growing from that edge', (direction, rect) => {
    const tl = withIn({ type: 'wipe', direction });
    expect(layersOf(tl, 1)).toEqual([]); // p = 0: nothing visible
    for (const p of [0.5, 1]) {
      const l = onlyLayer(tl, 1 + p);
      expect(l.clipRect).toEqual(rect(p));
      expectPoint(apply(l.forward, 0, 0), 0, 0);
    }
  });

  it('transitionOut runs backwards over the last seconds of the clip', () => {
    const tl = timeline([
      {
        clips: [
          {
            type: 'color',
            color: '#00ff00',
            start: 1,
            duration: 2,
            transitionOut: { type: 'crossfade', duration: 1, easing: 'linear' },
          },
        ],
      },
    ]);
    expect(onlyLayer(tl, 1.5).opacity).toBe(1);
    expect(onlyLayer(tl, 2).opacity).toBe(1);
    expect(onlyLayer(tl, 2.5).opacity).toBeCloseTo(0.5, 12);
    expect(onlyLayer(tl, 2.9).opacity).toBeCloseTo(0.1, 9);
  });

  it('eases the progress with the transition easing', () => {
    const tl = withIn({ type: 'crossfade', easing: 'ease-in' });
    expect(onlyLayer(tl, 1.5).opacity).toBeLessThan(0.5);
  });

  it('params.interpolation 0 makes a hard cut at the middle of the written window', () => {
    const tl = withIn({ type: 'crossfade' }, { interpolation: 0 });
    expect(layersOf(tl, 1.2)).toEqual([]);
    expect(layersOf(tl, 1.4999)).toEqual([]);
    expect(onlyLayer(tl, 1.5).opacity).toBe(1);
    expect(onlyLayer(tl, 1.8).opacity).toBe(1);
  });

  it('params.interpolation 0.5 plays the transition over half the window, around its middle', () => {
    const tl = withIn({ type: 'crossfade' }, { interpolation: 0.5 });
    expect(layersOf(tl, 1.25)).toEqual([]);
    expect(onlyLayer(tl, 1.5).opacity).toBeCloseTo(0.5, 12);
    expect(onlyLayer(tl, 1.75).opacity).toBe(1);
  });
});

describe('text', () => {
  const text = (extra: Record<string, unknown>) =>
    timeline([{ clips: [{ type: 'text', text: 'hi', start: 1, duration: 4, ...extra } as never] }]);

  it('is placed in its box (fractions of the frame)', () => {
    const tl = text({ box: { x: 0.25, y: 0.5, width: 0.5, height: 0.25 } });
    const l = onlyLayer(tl, 1, { 't0.c0': { w: 80, h: 22.5 } });
    expectPoint(corners(l)[0]!, 40, 45);
    expectPoint(corners(l)[2]!, 120, 67.5);
  });

  it('fades in over fadeIn and out over fadeOut', () => {
    const tl = text({ fadeIn: 1, fadeOut: 2 });
    const sizes = { 't0.c0': { w: 128, h: 72 } };
    expect(layersOf(tl, 1, sizes)).toEqual([]);
    expect(onlyLayer(tl, 1.25, sizes).opacity).toBeCloseTo(0.25, 12);
    expect(onlyLayer(tl, 2, sizes).opacity).toBe(1);
    expect(onlyLayer(tl, 3, sizes).opacity).toBe(1);
    expect(onlyLayer(tl, 4, sizes).opacity).toBeCloseTo(0.5, 12);
    expect(layersOf(tl, 5, sizes)).toEqual([]);
  });
});

describe('layersAt', () => {
  const color = (c: string, start = 0, duration = 2) => ({
    type: 'color' as const,
    color: c,
    start,
    duration,
  });

  it('lists later tracks on top (after), and later clips on top within a track', () => {
    const tl = timeline([
      { clips: [color('#100000'), color('#200000')] },
      { clips: [color('#300000')] },
      { clips: [{ type: 'audio', src: 'a.wav', start: 0 }, color('#400000')] },
    ]);
    const layers = layersAt(tl, 0.5, context(tl));
    expect(layers.map((l) => l.ref.key)).toEqual(['t0.c0', 't0.c1', 't1.c0', 't2.c1']);
    expect(layers.map((l) => l.ref.track)).toEqual([0, 0, 1, 2]);
  });

  it('shows a clip from its start up to, not including, its end', () => {
    const tl = timeline([{ clips: [color('#ff0000', 1, 1)] }]);
    const ctx = context(tl);
    expect(layersAt(tl, 0.999, ctx)).toEqual([]);
    expect(layersAt(tl, 1, ctx)).toHaveLength(1);
    expect(layersAt(tl, 1, ctx)[0]!.local).toBe(0);
    expect(layersAt(tl, 1.999, ctx)).toHaveLength(1);
    expect(layersAt(tl, 2, ctx)).toEqual([]);
  });

  it('a clip from 0.1 s lasting 0.2 s is drawn on frames 3 to 8 at 30 fps, not on frame 9', () => {
    const tl = timeline([{ clips: [color('#ff0000', 0.1, 0.2)] }]);
    const ctx = context(tl);
    const drawn = Array.from({ length: 12 }, (_, i) => i).filter((i) => layersAt(tl, i / 30, ctx).length > 0);
    expect(drawn).toEqual([3, 4, 5, 6, 7, 8]);
  });
});
