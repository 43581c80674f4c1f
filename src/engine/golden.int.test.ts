import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compareRgba,
  expectGolden,
  type GoldenOptions,
  makeBarVideo,
  writePixelPng,
} from '../../test/helpers/golden.js';
import { makeTempDir } from '../../test/helpers/paths.js';
import { type Ffmpeg, findFfmpeg } from '../media/index.js';
import type { Params, Timeline, TimelineInput, Transition } from '../timeline/index.js';
import { parseTimeline } from '../timeline/index.js';
import { type RenderedFrame, renderFrame } from './render-frame.js';

/**
 * One golden frame per feature, rendered by renderFrame (the exported pixels) from deterministic inputs:
 * pictures computed pixel by pixel, and a lossless video whose frames carry their index as a bar.
 * References live in test/golden/ (see its README for how to update and review them).
 */

const W = 160;
const H = 90;

type TransitionSpec = Pick<Transition, 'type'> & Partial<Pick<Transition, 'direction' | 'color'>>;

/**
 * Text is drawn by Skia with the system's DejaVu Sans: anti-aliasing and hinting may move edge pixels
 * between machines, so text frames allow larger edge differences. Misplaced, missing or unstyled text
 * still changes far more pixels than this (checked below).
 */
const TEXT: GoldenOptions = { tolerance: 32, maxBadPixels: 0.012 };

let ff: Ffmpeg;
let dir: string;

// 120×120 chart: coloured quadrants, a white border and a white ring (fit modes show as crops/stretches).
const chartPixel = (x: number, y: number): [number, number, number] => {
  const n = 120;
  if (x < 4 || y < 4 || x >= n - 4 || y >= n - 4) return [255, 255, 255];
  const r = Math.hypot(x + 0.5 - n / 2, y + 0.5 - n / 2);
  if (r >= 36 && r < 40) return [255, 255, 255];
  if (r < 6) return [0, 0, 0];
  const left = x < n / 2;
  const top = y < n / 2;
  if (top) return left ? [220, 40, 40] : [40, 180, 60];
  return left ? [40, 70, 220] : [240, 200, 30];
};

function hsv(h: number, s: number, v: number): [number, number, number] {
  const f = (n: number) => {
    const k = (n + h / 60) % 6;
    return Math.round(255 * (v - v * s * Math.max(0, Math.min(k, 4 - k, 1))));
  };
  return [f(5), f(3), f(1)];
}

// 320×180 scene: 16×9 cells, hue by column and brightness by row, with white grid lines and a
// white diamond marking the point (0.25, 0.25) that the camera zooms into.
const scenePixel = (x: number, y: number): [number, number, number] => {
  if (Math.abs(x - 80) + Math.abs(y - 45) < 8) return [255, 255, 255];
  if (x % 20 === 0 || y % 20 === 0) return [250, 250, 250];
  const col = Math.floor(x / 20);
  const row = Math.floor(y / 20);
  return hsv(col * 22.5, 0.85, 1 - row * 0.08);
};

// 160×90 bands: three horizontal bands and a dark diagonal, clearly unlike the scene.
const bandsPixel = (x: number, y: number): [number, number, number] => {
  if (Math.abs(x - y * (160 / 90)) < 3) return [20, 20, 20];
  if (y < 30) return [250, 250, 245];
  if (y < 60) return [255, 140, 0];
  return [20, 40, 110];
};

beforeAll(async () => {
  ff = await findFfmpeg();
  dir = makeTempDir('golden');
  await Promise.all([
    writePixelPng(join(dir, 'chart.png'), 120, 120, chartPixel),
    writePixelPng(join(dir, 'scene.png'), 320, 180, scenePixel),
    writePixelPng(join(dir, 'bands.png'), 160, 90, bandsPixel),
    writePixelPng(join(dir, 'bands-square.png'), 120, 120, (x, y) => bandsPixel((x * 4) / 3, (y * 3) / 4)),
    // 2 s at 30 fps, lossless (so decoding is exact on any x264): a gradient with a white bar at
    // x = 20 + 2·n in frame n, so that the frame shown can be read off its position.
    makeBarVideo(ff, dir),
  ]);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function timeline(
  tracks: TimelineInput['tracks'],
  extra: { params?: Partial<Params>; background?: string; duration?: number } = {},
): Timeline {
  return parseTimeline({
    output: {
      width: W,
      height: H,
      fps: 30,
      background: extra.background ?? '#000000',
      duration: extra.duration,
    },
    params: extra.params ?? {},
    tracks,
  });
}

async function frame(tl: Timeline, t: number, scale?: number): Promise<RenderedFrame> {
  return renderFrame(tl, t, { ff, baseDir: dir, scale });
}

async function golden(
  name: string,
  tl: Timeline,
  t: number,
  options?: GoldenOptions,
): Promise<RenderedFrame> {
  const f = await frame(tl, t);
  await expectGolden(name, f.rgba, f.width, f.height, options);
  return f;
}

/** The RGB of one output pixel. */
function pixel(f: RenderedFrame, x: number, y: number): [number, number, number] {
  const o = (y * f.width + x) * 4;
  return [f.rgba[o]!, f.rgba[o + 1]!, f.rgba[o + 2]!];
}

/** Mean R, G, B of each 10×10 block. */
function blockMeans(f: RenderedFrame): number[] {
  const out: number[] = [];
  for (let by = 0; by < f.height; by += 10) {
    for (let bx = 0; bx < f.width; bx += 10) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let y = by; y < by + 10; y++)
          for (let x = bx; x < bx + 10; x++) sum += f.rgba[(y * f.width + x) * 4 + c]!;
        out.push(sum / 100);
      }
    }
  }
  return out;
}

describe('golden frames: pictures', () => {
  for (const fit of ['cover', 'contain', 'fill'] as const) {
    it(`places a square picture with fit ${fit}`, async () => {
      const tl = timeline([{ clips: [{ type: 'image', src: 'chart.png', start: 0, duration: 1, fit }] }], {
        background: '#404040',
      });
      await golden(`fit-${fit}`, tl, 0);
    });
  }

  describe('camera move (Ken Burns) from the whole picture to 2× on its upper-left quarter', () => {
    const tl = (cameraSpeed = 1) =>
      timeline(
        [
          {
            clips: [
              {
                type: 'image',
                src: 'scene.png',
                start: 0,
                duration: 2,
                camera: { from: { zoom: 1 }, to: { zoom: 2, x: 0.25, y: 0.25 }, easing: 'linear' },
              },
            ],
          },
        ],
        { params: { cameraSpeed } },
      );
    it('at the start', () => golden('camera-start', tl(), 0));
    it('half-way', () => golden('camera-middle', tl(), 1));
    it('at the end', () => golden('camera-end', tl(), 2 - 1e-4));
    it('params.cameraSpeed 0 holds the first position', () =>
      golden('camera-speed-0-at-end', tl(0), 2 - 1e-4));
    it('params.cameraSpeed 1 at the end is the written end', () => golden('camera-end', tl(1), 2 - 1e-4));
    it('params.cameraSpeed 0 at the end shows what speed 1 shows at the start', async () => {
      const still = await frame(tl(0), 2 - 1e-4);
      const start = await frame(tl(1), 0);
      // Not byte-identical: with a still camera the picture is prepared at half size (Lanczos, which
      // rings next to the 1-pixel grid lines), with speed 1 at full size for the later zoom. The
      // same view all the same: every 10×10 block has nearly the same mean colour.
      const a = blockMeans(start);
      const b = blockMeans(still);
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(6);
    });
  });

  describe('transform with keyframes and easing', () => {
    const tl = timeline(
      [
        {
          clips: [
            {
              type: 'image',
              src: 'chart.png',
              start: 0,
              duration: 2,
              fit: 'contain',
              transform: {
                x: [
                  { t: 0, value: 0.3, easing: 'ease-in-out' },
                  { t: 1, value: 0.7 },
                ],
                y: 0.5,
                scale: [
                  { t: 0, value: 0.5 },
                  { t: 1, value: 0.9 },
                ],
                rotation: [
                  { t: 0, value: 0, easing: 'ease-out' },
                  { t: 1, value: 45 },
                ],
                opacity: [
                  { t: 0, value: 1, easing: 'hold' },
                  { t: 0.4, value: 0.6 },
                ],
              },
            },
          ],
        },
      ],
      { background: '#305030' },
    );
    it('at the first keyframe', () => golden('transform-start', tl, 0));
    it('between keyframes (eased)', () => golden('transform-middle', tl, 0.5));
    it('after the last keyframe', () => golden('transform-end', tl, 1.5));
  });
});

describe('golden frames: transitions at their midpoint', () => {
  // A (scene) on track 0 for 2 s; B (bands) on track 1 from 1 s with a 1 s linear transition in.
  const withTransition = (transition: TransitionSpec, params: Partial<Params> = {}): Timeline =>
    timeline(
      [
        { clips: [{ type: 'image', src: 'scene.png', start: 0, duration: 2 }] },
        {
          clips: [
            {
              type: 'image',
              src: 'bands.png',
              start: 1,
              duration: 1,
              transitionIn: { duration: 1, easing: 'linear', ...transition },
            },
          ],
        },
      ],
      { params },
    );

  it('crossfade', () => golden('transition-crossfade', withTransition({ type: 'crossfade' }), 1.5));
  it('slide (enters from the left)', () =>
    golden('transition-slide-left', withTransition({ type: 'slide', direction: 'left' }), 1.5));
  it('slide (enters from below)', () =>
    golden('transition-slide-down', withTransition({ type: 'slide', direction: 'down' }), 1.5));
  it('wipe (grows from the left edge)', () =>
    golden('transition-wipe-left', withTransition({ type: 'wipe', direction: 'left' }), 1.5));
  it('wipe (grows from the top edge)', () =>
    golden('transition-wipe-up', withTransition({ type: 'wipe', direction: 'up' }), 1.5));
  it('zoom', () => golden('transition-zoom', withTransition({ type: 'zoom' }), 1.5));

  it('fade through a colour: A half-way to the colour, then B half-way from it', async () => {
    const tl = timeline([
      {
        clips: [
          {
            type: 'image',
            src: 'chart.png',
            start: 0,
            duration: 1,
            transitionOut: { type: 'fade', duration: 1, color: '#2040c0', easing: 'linear' },
          },
          {
            type: 'image',
            src: 'bands-square.png',
            start: 1,
            duration: 1,
            transitionIn: { type: 'fade', duration: 1, color: '#2040c0', easing: 'linear' },
          },
        ],
      },
    ]);
    await golden('transition-fade-out-middle', tl, 0.5);
    await golden('transition-fade-in-middle', tl, 1.5);
    // At the cut the whole frame is the colour itself (#2040c0 through BT.709 limited range and back).
    const cut = await frame(tl, 1);
    for (const [x, y] of [
      [0, 0],
      [80, 45],
      [159, 89],
    ] as const) {
      const [r, g, b] = pixel(cut, x, y);
      expect(Math.abs(r - 0x20)).toBeLessThanOrEqual(2);
      expect(Math.abs(g - 0x40)).toBeLessThanOrEqual(2);
      expect(Math.abs(b - 0xc0)).toBeLessThanOrEqual(2);
    }
  });

  it('a full-frame colour clip covers the left and right pixel columns completely', async () => {
    const tl = timeline([{ clips: [{ type: 'color', color: '#204080', start: 0, duration: 1 }] }]);
    const f = await frame(tl, 0.5);
    for (const [x, y] of [
      [0, 45],
      [159, 45],
      [80, 0],
      [80, 89],
    ] as const) {
      const [r, g, b] = pixel(f, x, y);
      expect(Math.abs(r - 0x20), `(${x}, ${y})`).toBeLessThanOrEqual(2);
      expect(Math.abs(g - 0x40), `(${x}, ${y})`).toBeLessThanOrEqual(2);
      expect(Math.abs(b - 0x80), `(${x}, ${y})`).toBeLessThanOrEqual(2);
    }
  });

  it('params.interpolation 1 blends a quarter of the way at a quarter of the window', () =>
    golden('interpolation-1-quarter', withTransition({ type: 'crossfade' }), 1.25));

  it('params.interpolation 0 is a hard cut at the middle of the written window', async () => {
    const tl = withTransition({ type: 'crossfade' }, { interpolation: 0 });
    const before = await golden('interpolation-0-before-middle', tl, 1.49);
    const after = await golden('interpolation-0-after-middle', tl, 1.5);
    // Before the middle only A shows; from the middle only B: byte-identical to A and B alone.
    const aOnly = await frame(
      timeline([{ clips: [{ type: 'image', src: 'scene.png', start: 0, duration: 2 }] }]),
      1.49,
    );
    const bOnly = await frame(
      timeline([{ clips: [{ type: 'image', src: 'bands.png', start: 0, duration: 2 }] }]),
      1.5,
    );
    expect(Buffer.from(before.i420).equals(Buffer.from(aOnly.i420))).toBe(true);
    expect(Buffer.from(after.i420).equals(Buffer.from(bOnly.i420))).toBe(true);
  });
});

describe('golden frames: colour', () => {
  const adjusted = (adjust: Record<string, number>, grade = 1) =>
    timeline([{ clips: [{ type: 'image', src: 'scene.png', start: 0, duration: 1, adjust }] }], {
      params: { grade },
    });
  it('brightness', () => golden('adjust-brightness', adjusted({ brightness: 0.25 }), 0));
  it('contrast', () => golden('adjust-contrast', adjusted({ contrast: 1.8 }), 0));
  it('saturation', () => golden('adjust-saturation', adjusted({ saturation: 0.2 }), 0));

  it('params.grade 0 leaves the picture untouched, 1 applies the adjustments as written', async () => {
    const all = { brightness: -0.15, contrast: 1.4, saturation: 1.8 };
    const none = await golden('grade-0', adjusted(all, 0), 0);
    await golden('grade-1', adjusted(all, 1), 0);
    const plain = await frame(
      timeline([{ clips: [{ type: 'image', src: 'scene.png', start: 0, duration: 1 }] }]),
      0,
    );
    expect(Buffer.from(none.i420).equals(Buffer.from(plain.i420))).toBe(true);
  });

  it('colour clips, scaled and rotated, over the background', () =>
    golden(
      'color-clips',
      timeline(
        [
          {
            clips: [
              { type: 'color', color: '#e03030', start: 0, duration: 1, transform: { scale: 0.6, x: 0.3 } },
              {
                type: 'color',
                color: '#30c0e080',
                start: 0,
                duration: 1,
                transform: { scale: 0.5, x: 0.65, rotation: 20 },
              },
            ],
          },
        ],
        { background: '#f0f0f0' },
      ),
      0,
    ));

  it('linear gradient (90° runs left to right)', () =>
    golden(
      'gradient-linear-90',
      timeline([
        {
          clips: [
            {
              type: 'gradient',
              start: 0,
              duration: 1,
              gradient: {
                kind: 'linear',
                angle: 90,
                stops: [
                  { offset: 0, color: '#ff0000' },
                  { offset: 0.5, color: '#ffff00' },
                  { offset: 1, color: '#0000ff' },
                ],
              },
            },
          ],
        },
      ]),
      0,
    ));

  it('linear gradient (0° runs top to bottom)', () =>
    golden(
      'gradient-linear-0',
      timeline([
        {
          clips: [
            {
              type: 'gradient',
              start: 0,
              duration: 1,
              gradient: {
                angle: 0,
                stops: [
                  { offset: 0, color: '#ffffff' },
                  { offset: 1, color: '#008040' },
                ],
              },
            },
          ],
        },
      ]),
      0,
    ));

  it('radial gradient', () =>
    golden(
      'gradient-radial',
      timeline([
        {
          clips: [
            {
              type: 'gradient',
              start: 0,
              duration: 1,
              gradient: {
                kind: 'radial',
                stops: [
                  { offset: 0, color: '#ffffff' },
                  { offset: 0.5, color: '#ff8000' },
                  { offset: 1, color: '#200040' },
                ],
              },
            },
          ],
        },
      ]),
      0,
    ));
});

describe('golden frames: text', () => {
  const shadow = { color: '#000000', blur: 24, offsetX: 30, offsetY: 30 };
  const onScene = (text: Record<string, unknown>) =>
    timeline([
      { clips: [{ type: 'image', src: 'scene.png', start: 0, duration: 2, adjust: { brightness: -0.3 } }] },
      {
        clips: [
          {
            type: 'text',
            start: 0,
            duration: 2,
            text: 'Reelforge',
            font: { size: 200, weight: 'bold' },
            ...text,
          } as never,
        ],
      },
    ]);

  it('centred, with a shadow', () => golden('text-center-shadow', onScene({ shadow }), 0, TEXT));
  it('left and top aligned, wrapped in a narrow box', () =>
    golden(
      'text-left-top-wrap',
      onScene({
        text: 'wrap these words',
        align: 'left',
        verticalAlign: 'top',
        font: { size: 170 },
        box: { x: 0.05, y: 0.05, width: 0.5, height: 0.9 },
      }),
      0,
      TEXT,
    ));
  it('right and bottom aligned', () =>
    golden(
      'text-right-bottom',
      onScene({ text: 'right', align: 'right', verticalAlign: 'bottom' }),
      0,
      TEXT,
    ));
  it('with an outline', () =>
    golden('text-outline', onScene({ color: '#ffe000', outline: { color: '#000000', width: 8 } }), 0, TEXT));
  it('on a background box', () =>
    golden(
      'text-background',
      onScene({ text: 'Box', background: { color: '#ffffffd0', padding: 30, radius: 30 }, color: '#102040' }),
      0,
      TEXT,
    ));
  it('fading in: half-way through fadeIn', () =>
    golden('text-fade-in-middle', onScene({ fadeIn: 1 }), 0.5, TEXT));

  it('the text tolerance still catches text that is misplaced, unstyled or in the wrong weight', async () => {
    const centred = await frame(onScene({ shadow }), 0);
    const broken = {
      'left-aligned': onScene({ shadow, align: 'left' }),
      'without its shadow': onScene({}),
      'in regular weight': onScene({ shadow, font: { size: 200 } }),
      'moved by 1.6 pixels': onScene({ shadow, box: { x: 0.11, y: 0.1, width: 0.8, height: 0.8 } }),
    };
    for (const [what, tl] of Object.entries(broken)) {
      const d = compareRgba(centred.rgba, (await frame(tl, 0)).rgba, W, H, TEXT.tolerance!);
      expect(d.badPixels, what).toBeGreaterThan(2 * TEXT.maxBadPixels! * W * H);
    }
  });
});

describe('golden frames: video and tracks', () => {
  it('a video clip with trimStart 0.5 and speed 2 shows source frame 30 at 0.25 s', async () => {
    const tl = timeline([
      { clips: [{ type: 'video', src: 'bar.mp4', start: 0, duration: 0.5, trimStart: 0.5, speed: 2 }] },
    ]);
    const f = await golden('video-trim-speed', tl, 0.25);
    // Source frame 30 has its bar at x = 20 + 2·30 = 80.
    const row = 45;
    let brightest = 0;
    let at = -1;
    for (let x = 0; x < W; x++) {
      const [r, g, b] = pixel(f, x, row);
      if (r + g + b > brightest) [brightest, at] = [r + g + b, x];
    }
    expect(Math.abs(at - 80)).toBeLessThanOrEqual(1);
  });

  it('later tracks draw on top of earlier ones, later clips on top within a track', async () => {
    const tracks: TimelineInput['tracks'] = [
      {
        clips: [
          { type: 'color', color: '#d02020', start: 0, duration: 1 },
          { type: 'color', color: '#20a020', start: 0, duration: 1, transform: { scale: 0.7 } },
        ],
      },
      { clips: [{ type: 'color', color: '#2040d0', start: 0, duration: 1, transform: { scale: 0.4 } }] },
      {
        clips: [
          {
            type: 'image',
            src: 'chart.png',
            start: 0,
            duration: 1,
            fit: 'contain',
            transform: { scale: 0.3 },
          },
        ],
      },
    ];
    const f = await golden('track-order', timeline(tracks), 0);
    expect(pixel(f, 2, 2)).toEqual(pixel(f, 157, 87)); // red at the corners
    // Reversed, the full-frame red and the green over it hide the blue and the chart.
    const reversed = await frame(timeline([...tracks].reverse()), 0);
    expect(pixel(reversed, 80, 45)).toEqual(pixel(f, 30, 45)); // green
    expect(pixel(f, 80, 45)).not.toEqual(pixel(f, 30, 45));
  });

  it('scale 0.5 renders the same picture at half the size', async () => {
    const f = await frame(
      timeline([{ clips: [{ type: 'image', src: 'chart.png', start: 0, duration: 1, fit: 'contain' }] }]),
      0,
      0.5,
    );
    expect([f.width, f.height]).toEqual([80, 46]);
    await expectGolden('scale-half', f.rgba, f.width, f.height);
  });
});
