import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectGolden, makeBarVideo, writePixelPng } from '../../test/helpers/golden.js';
import { makeTempDir } from '../../test/helpers/paths.js';
import { type Ffmpeg, findFfmpeg, probe } from '../media/index.js';
import { parseTimeline, type Timeline, type TimelineInput } from '../timeline/index.js';
import { type RenderedFrame, renderFrame } from './render-frame.js';
import { renderVideo } from './render-video.js';
import { Renderer } from './renderer.js';

/**
 * Golden frames of the cinematic effects (params.motionBlur, depth of field, depth maps,
 * params.resolutionScale, morph transitions, speed ramps and freeze frames), rendered by renderFrame —
 * the pixels export encodes — from pictures computed pixel by pixel and a lossless video whose
 * frame n shows a white bar at x = 20 + 2n.
 */

const W = 160;
const H = 90;
let ff: Ffmpeg;
let dir: string;

function hsv(h: number, s: number, v: number): [number, number, number] {
  const f = (n: number) => {
    const k = (n + h / 60) % 6;
    return Math.round(255 * (v - v * s * Math.max(0, Math.min(k, 4 - k, 1))));
  };
  return [f(5), f(3), f(1)];
}

// 320×180: coloured cells with white grid lines every 20 pixels (blur and motion show plainly).
const scene = (x: number, y: number): [number, number, number] => {
  if (x % 20 === 0 || y % 20 === 0) return [250, 250, 250];
  return hsv(Math.floor(x / 20) * 22.5, 0.85, 1 - Math.floor(y / 20) * 0.08);
};
// 60×60 target: black and white rings around a red centre.
const target = (x: number, y: number): [number, number, number] => {
  const r = Math.hypot(x + 0.5 - 30, y + 0.5 - 30);
  if (r < 6) return [230, 30, 30];
  return Math.floor(r / 4) % 2 ? [20, 20, 20] : [245, 245, 245];
};

beforeAll(async () => {
  ff = await findFfmpeg();
  dir = makeTempDir('effects');
  await Promise.all([
    writePixelPng(join(dir, 'scene.png'), 320, 180, scene),
    writePixelPng(join(dir, 'target.png'), 60, 60, target),
    // Depth map for scene.png: white (near) on the left to black (far) on the right.
    writePixelPng(join(dir, 'depth.png'), 320, 180, (x) => {
      const v = Math.round(255 * (1 - x / 319));
      return [v, v, v];
    }),
    makeBarVideo(ff, dir),
  ]);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function timeline(
  tracks: TimelineInput['tracks'],
  params: TimelineInput['params'] = {},
  duration?: number,
): Timeline {
  return parseTimeline({ output: { width: W, height: H, fps: 30, duration }, params, tracks });
}

const frame = (tl: Timeline, t: number) => renderFrame(tl, t, { ff, baseDir: dir });

async function golden(name: string, tl: Timeline, t: number): Promise<RenderedFrame> {
  const f = await frame(tl, t);
  await expectGolden(name, f.rgba, f.width, f.height);
  return f;
}

/** Mean absolute difference of two frames' RGB, per channel value. */
function meanDiff(a: RenderedFrame, b: RenderedFrame): number {
  let s = 0;
  for (let i = 0; i < a.rgba.length; i += 4)
    for (let c = 0; c < 3; c++) s += Math.abs(a.rgba[i + c]! - b.rgba[i + c]!);
  return s / ((a.rgba.length / 4) * 3);
}

/** The centre of the video's white bar along a row (the middle of its near-white columns). */
function barX(f: RenderedFrame, y = 45): number {
  const xs: number[] = [];
  for (let x = 0; x < f.width; x++) {
    const o = (y * f.width + x) * 4;
    if (f.rgba[o]! > 200 && f.rgba[o + 1]! > 200 && f.rgba[o + 2]! > 200) xs.push(x);
  }
  return xs.length ? Math.round(xs.reduce((a, b) => a + b, 0) / xs.length) : -1;
}

/** How far the mean colours of 10×10 blocks differ, on average: pictures without their finest detail. */
function blockDiff(a: RenderedFrame, b: RenderedFrame): number {
  let total = 0;
  let n = 0;
  for (let by = 0; by < H; by += 10) {
    for (let bx = 0; bx < W; bx += 10) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let y = by; y < by + 10; y++)
          for (let x = bx; x < bx + 10; x++) s += a.rgba[(y * W + x) * 4 + c]! - b.rgba[(y * W + x) * 4 + c]!;
        total += Math.abs(s / 100);
        n++;
      }
    }
  }
  return total / n;
}

describe('motion blur', () => {
  // A still scene; over it a target crossing the frame in 0.5 s; on top a still, half-transparent
  // box (drawn once over the averaged samples) and a moving box that opts out (stays sharp).
  const moving = (motionBlur: number) =>
    timeline(
      [
        { clips: [{ type: 'image', src: 'scene.png', start: 0, duration: 1 }] },
        {
          clips: [
            {
              type: 'image',
              src: 'target.png',
              start: 0,
              duration: 1,
              fit: 'contain',
              transform: {
                scale: 0.5,
                x: [
                  { t: 0, value: 0.1 },
                  { t: 0.5, value: 0.9 },
                ],
              },
            },
            {
              type: 'color',
              color: '#2040ff',
              start: 0,
              duration: 1,
              motionBlur: false,
              transform: {
                scale: 0.15,
                y: 0.85,
                x: [
                  { t: 0, value: 0.9 },
                  { t: 0.5, value: 0.1 },
                ],
              },
            },
          ],
        },
        {
          clips: [
            {
              type: 'color',
              color: '#ffffff80',
              start: 0,
              duration: 1,
              transform: { scale: 0.2, x: 0.15, y: 0.2 },
            },
          ],
        },
      ],
      { motionBlur },
    );

  it('smears a fast-moving clip over a 360° shutter', () => golden('effect-motion-blur', moving(1), 0.25));

  it('equals the average of the frames at the shutter instants (still layers drawn once)', async () => {
    const tl = moving(1);
    const r = new Renderer(tl, { ff, baseDir: dir });
    await r.prepare();
    try {
      const layers = r.layersAt(0.25);
      const moved = layers.filter((l) => l.motion);
      expect(moved.map((l) => l.ref.key)).toEqual(['t1.c0']); // the opted-out box and the still ones hold
      const n = moved[0]!.motion!.length;
      expect(n).toBe(8); // 26.7 pixels of travel: capped at the export's 8 samples
      const blurred = new Uint8Array(r.compositor.frameBytes);
      await r.render(0.25, blurred, layers);
      // The same frame, by brute force: each instant rendered whole, then averaged.
      const sharp = new Renderer(moving(0), { ff, baseDir: dir });
      await sharp.prepare();
      const sum = new Float64Array(blurred.length);
      const buf = new Uint8Array(blurred.length);
      const e = 1 / 30;
      for (let i = 0; i < n; i++) {
        const t = 0.25 + ((i + 0.5) / n - 0.5) * e;
        // The opted-out box stays at the frame's time: draw that layer from the frame time.
        const ls = sharp.layersAt(t).map((l) => (l.ref.key === 't1.c1' ? sharp.layersAt(0.25)[2]! : l));
        await sharp.render(t, buf, ls);
        for (let k = 0; k < buf.length; k++) sum[k]! += buf[k]!;
      }
      await sharp.close();
      let worst = 0;
      for (let k = 0; k < buf.length; k++)
        worst = Math.max(worst, Math.abs(Math.round(sum[k]! / n) - blurred[k]!));
      expect(worst).toBeLessThanOrEqual(2);
    } finally {
      await r.close();
    }
  });

  it('is the plain frame when nothing moves or the shutter is closed', async () => {
    const still = await frame(moving(1), 0.75); // the target stopped at 0.5 s
    const plain = await frame(moving(0), 0.75);
    expect(meanDiff(still, plain)).toBe(0);
  });
});

describe('depth of field', () => {
  // The scene far (depth 1) behind a target near (depth 0).
  type Focus = number | { t: number; value: number }[];
  const layered = (focus: Focus) =>
    timeline(
      [
        { clips: [{ type: 'image', src: 'scene.png', start: 0, duration: 2 }] },
        {
          clips: [
            {
              type: 'image',
              src: 'target.png',
              start: 0,
              duration: 2,
              fit: 'contain',
              transform: { scale: 0.6 },
            },
          ],
        },
      ],
      { depthOfField: { focus, strength: 1 } },
    );

  it('focused near: the far scene blurs, the near target stays sharp', () =>
    golden('effect-dof-near', layered(0), 0));
  it('focused far: the near target blurs, the scene stays sharp', () =>
    golden('effect-dof-far', layered(1), 0));
  it('a rack focus half-way blurs both by half', () =>
    golden(
      'effect-dof-rack-mid',
      layered([
        { t: 0, value: 0 },
        { t: 2, value: 1 },
      ]),
      1,
    ));

  it('blurs nothing when disabled or at strength 0', async () => {
    const plain = await frame(layered(0), 0);
    const off = timeline(layered(0).tracks as TimelineInput['tracks'], { depthOfField: { enabled: false } });
    const base = timeline(layered(0).tracks as TimelineInput['tracks']);
    expect(meanDiff(await frame(off, 0), await frame(base, 0))).toBe(0);
    expect(meanDiff(plain, await frame(base, 0))).toBeGreaterThan(1);
  });

  it('a depth map blurs within one picture: sharp at the focused depth, soft elsewhere', async () => {
    const tl = timeline(
      [{ clips: [{ type: 'image', src: 'scene.png', start: 0, duration: 1, depthMap: 'depth.png' }] }],
      {
        depthOfField: { focus: 0, strength: 1 },
      },
    );
    const f = await golden('effect-depth-map', tl, 0);
    const sharp = await frame(
      timeline([{ clips: [{ type: 'image', src: 'scene.png', start: 0, duration: 1 }] }]),
      0,
    );
    // Left columns (near, in focus) match the sharp picture; right columns (far) do not.
    const column = (a: RenderedFrame, b: RenderedFrame, x0: number, x1: number) => {
      let s = 0;
      for (let y = 0; y < H; y++)
        for (let x = x0; x < x1; x++)
          for (let c = 0; c < 3; c++)
            s += Math.abs(a.rgba[(y * W + x) * 4 + c]! - b.rgba[(y * W + x) * 4 + c]!);
      return s / (H * (x1 - x0) * 3);
    };
    expect(column(f, sharp, 0, 16)).toBeLessThan(2);
    expect(column(f, sharp, 144, 160)).toBeGreaterThan(8);
  });
});

describe('resolution scale', () => {
  it('draws at half size and scales up to the output size', async () => {
    const tracks: TimelineInput['tracks'] = [
      { clips: [{ type: 'image', src: 'scene.png', start: 0, duration: 1 }] },
      {
        clips: [
          {
            type: 'image',
            src: 'target.png',
            start: 0,
            duration: 1,
            fit: 'contain',
            transform: { scale: 0.5, rotation: 20 },
          },
        ],
      },
    ];
    const f = await golden('effect-resolution-scale', timeline(tracks, { resolutionScale: 0.5 }), 0);
    expect([f.width, f.height]).toEqual([W, H]);
    const full = await frame(timeline(tracks), 0);
    expect(meanDiff(f, full)).toBeGreaterThan(1); // softer: the 1-pixel grid lines smear
    expect(blockDiff(f, full)).toBeLessThan(5); // but the same picture, in the same place
  });
});

describe('morph transition', () => {
  // The scene, then the same scene moved left by a fifth of the frame: in-betweens move it.
  const morph = (interpolation = 1) =>
    timeline(
      [
        {
          clips: [
            { type: 'image', src: 'scene.png', start: 0, duration: 2 },
            {
              type: 'image',
              src: 'scene.png',
              start: 1,
              duration: 2,
              transform: { x: 0.3 },
              transitionIn: { type: 'morph', duration: 1, easing: 'linear' },
            },
          ],
        },
      ],
      { interpolation },
    );

  it('shows a motion-compensated in-between at the midpoint', async () => {
    const mid = await golden('effect-morph-mid', morph(), 1.5);
    // Not a crossfade: the plain crossfade's double image differs clearly.
    const cross = timeline(
      morph().tracks.map((t) => ({
        clips: t.clips.map((c) =>
          c.type === 'image' && c.transitionIn
            ? { ...c, transitionIn: { ...c.transitionIn, type: 'crossfade' as const } }
            : c,
        ),
      })) as TimelineInput['tracks'],
    );
    expect(meanDiff(mid, await frame(cross, 1.5))).toBeGreaterThan(3);
  });

  it('starts and ends on the pictures it joins, and with interpolation 0 is a hard cut', async () => {
    const before = await frame(morph(), 0.9);
    const after = await frame(morph(), 2.1);
    expect(meanDiff(await frame(morph(), 1 + 1 / 30), before)).toBeLessThan(8);
    expect(meanDiff(await frame(morph(), 2 - 1 / 30), after)).toBeLessThan(8);
    expect(meanDiff(await frame(morph(0), 1.45), before)).toBe(0);
  });
});

describe('speed ramps and freeze frames', () => {
  const clip = { type: 'video' as const, src: 'bar.mp4', start: 0, duration: 1.5 };

  it('a speed ramp 1× → 3× over 1 s shows source second 0.75 at 0.5 s', async () => {
    const tl = timeline([
      {
        clips: [
          {
            ...clip,
            speedRamp: [
              { t: 0, value: 1 },
              { t: 1, value: 3 },
            ],
          },
        ],
      },
    ]);
    const f = await golden('effect-speed-ramp', tl, 0.5);
    expect(barX(f)).toBe(20 + 2 * 22); // ∫ = 0.5 + 0.25 = 0.75 s → source frame 22
  });

  it('a freeze frame holds the source picture for its duration, then plays on', async () => {
    const tl = timeline([{ clips: [{ ...clip, freeze: [{ at: 0.5, duration: 0.5 }] }] }]);
    const f = await golden('effect-freeze', tl, 0.8);
    expect(barX(f)).toBe(20 + 2 * 15);
    expect(barX(await frame(tl, 0.5))).toBe(20 + 2 * 15);
    expect(barX(await frame(tl, 1.2))).toBe(20 + 2 * 21); // 0.2 s after the hold: source 0.7 s
  });
});

describe('export with effects', () => {
  it('encodes every frame of a timeline with all the effects on', async () => {
    const tl = timeline(
      [
        {
          clips: [
            {
              type: 'image',
              src: 'scene.png',
              start: 0,
              duration: 1,
              camera: { from: { zoom: 1 }, to: { zoom: 1.5 } },
            },
            {
              type: 'video',
              src: 'bar.mp4',
              start: 0.8,
              duration: 0.7,
              speedRamp: [
                { t: 0, value: 0.5 },
                { t: 0.7, value: 2 },
              ],
              freeze: [{ at: 0.2, duration: 0.2 }],
              transitionIn: { type: 'morph', duration: 0.2 },
            },
          ],
        },
        {
          clips: [
            {
              type: 'image',
              src: 'target.png',
              start: 0,
              duration: 1.5,
              fit: 'contain',
              transform: {
                scale: 0.4,
                x: [
                  { t: 0, value: 0.2 },
                  { t: 1.5, value: 0.8 },
                ],
              },
            },
          ],
        },
      ],
      {
        motionBlur: 0.5,
        resolutionScale: 0.5,
        depthOfField: {
          focus: [
            { t: 0, value: 0 },
            { t: 1.5, value: 1 },
          ],
        },
      },
    );
    const outPath = join(dir, 'effects.mp4');
    const seen: number[] = [];
    const r = await renderVideo(tl, {
      ff,
      baseDir: dir,
      outPath,
      onFrame: (i, f) => seen.push(i + f.length * 0),
    });
    expect(r.frames).toBe(45);
    expect(seen).toHaveLength(45);
    const info = await probe(ff, outPath);
    expect([info.video?.displayWidth, info.video?.displayHeight]).toEqual([W, H]);
    expect(info.video?.frameCount).toBe(45);
  });
});
