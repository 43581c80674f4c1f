import { describe, expect, it } from 'vitest';
import { parseTimeline } from '../timeline/index.js';
import { type Rgba, rgbToYuv } from './color.js';
import { Compositor, type Picture } from './compositor.js';
import { type Affine, compose, rotate, scale, translate } from './geometry.js';
import { jsKernels } from './kernels/js-kernels.js';
import { type Kernels, loadKernels } from './kernels/kernels.js';
import { type Layer, type LayerContext, layersAt } from './layers.js';
import { chromaSize, solidYuva, type YuvaImage } from './yuv-image.js';

const BLACK: Rgba = [0, 0, 0, 255];
const native = loadKernels('native');

/** Splits an I420 frame into its planes. */
function planes(frame: Uint8Array, w: number, h: number) {
  const c = chromaSize(w) * chromaSize(h);
  return { y: frame.subarray(0, w * h), u: frame.subarray(w * h, w * h + c), v: frame.subarray(w * h + c) };
}

/** A picture layer of a w×h picture mapped by `forward`, fully shown. */
function layer(size: { w: number; h: number }, forward: Affine, extra: Partial<Layer> = {}): Layer {
  return {
    ref: { track: 0, index: 0, key: 't0.c0' },
    kind: 'picture',
    color: null,
    forward,
    window: [0, 0, size.w, size.h],
    opacity: 1,
    clipRect: null,
    local: 0,
    size,
    ...extra,
  };
}

function draw(
  w: number,
  h: number,
  layers: Layer[],
  pic: (l: Layer) => Picture,
  kernels: Kernels = jsKernels,
  bg = BLACK,
) {
  const c = new Compositor(w, h, bg, kernels);
  const frame = new Uint8Array(c.frameBytes);
  c.draw(frame, layers, pic);
  return { frame, ...planes(frame, w, h) };
}

const uniform = (plane: Uint8Array) => new Set(plane);

describe('Compositor', () => {
  it('has I420 frames: a full Y plane and two quarter-size chroma planes', () => {
    expect(new Compositor(16, 10, BLACK, jsKernels).frameBytes).toBe(16 * 10 + 2 * 8 * 5);
  });

  it('fills with the background colour when there are no layers', () => {
    const bg: Rgba = [255, 128, 0, 255];
    const { y, u, v } = draw(
      16,
      10,
      [],
      () => {
        throw new Error('no picture needed');
      },
      jsKernels,
      bg,
    );
    const [Y, U, V] = rgbToYuv(255, 128, 0);
    expect([...uniform(y)]).toEqual([Y]);
    expect([...uniform(u)]).toEqual([U]);
    expect([...uniform(v)]).toEqual([V]);
  });

  it.each([
    ['red', [255, 0, 0, 255]],
    ['green', [0, 255, 0, 255]],
    ['white', [255, 255, 255, 255]],
    ['a mid colour', [70, 130, 180, 255]],
  ] as const)('a full-frame solid %s layer gives exactly its Y′CbCr everywhere', (_name, color) => {
    const pic = { image: solidYuva(color) };
    // A 4×4 solid stretched over a 16×16 frame.
    const { y, u, v } = draw(16, 16, [layer({ w: 16, h: 16 }, scale(1))], () => pic);
    const [Y, U, V] = rgbToYuv(color[0], color[1], color[2]);
    expect([...uniform(y)]).toEqual([Y]);
    expect([...uniform(u)]).toEqual([U]);
    expect([...uniform(v)]).toEqual([V]);
  });

  it('opacity 0.5 blends halfway between the layer and what is under it', () => {
    const white = { image: solidYuva([255, 255, 255, 255]) };
    const { y, u, v } = draw(16, 16, [layer({ w: 16, h: 16 }, scale(1), { opacity: 0.5 })], () => white);
    // Black Y 16, white Y 235: half-way is 125.5.
    expect([...uniform(y)]).toHaveLength(1);
    expect(Math.abs(y[0]! - 125.5)).toBeLessThanOrEqual(0.5);
    expect([...uniform(u)]).toEqual([128]);
    expect([...uniform(v)]).toEqual([128]);
  });

  it('a colour with half alpha blends halfway too', () => {
    const pic = { image: solidYuva([255, 255, 255, 128]) };
    const { y } = draw(16, 16, [layer({ w: 16, h: 16 }, scale(1))], () => pic);
    expect(Math.abs(y[0]! - (16 + (219 * 128) / 255))).toBeLessThanOrEqual(1);
    expect([...uniform(y)]).toHaveLength(1);
  });

  it('draws a scaled layer only where it lands, with exact colour inside', () => {
    const red = { image: solidYuva([255, 0, 0, 255]) };
    // 16×16 picture at half size, centred: covers pixels 4..11.
    const fwd = compose(translate(4, 4), scale(0.5));
    const { y } = draw(16, 16, [layer({ w: 16, h: 16 }, fwd)], () => red);
    const [Y] = rgbToYuv(255, 0, 0);
    for (let yy = 0; yy < 16; yy++) {
      for (let xx = 0; xx < 16; xx++) {
        const inside = xx >= 4 && xx < 12 && yy >= 4 && yy < 12;
        expect(y[yy * 16 + xx], `(${xx}, ${yy})`).toBe(inside ? Y : 16);
      }
    }
  });

  it('draws nothing outside a clip rectangle', () => {
    const red = { image: solidYuva([255, 0, 0, 255]) };
    const { y } = draw(16, 16, [layer({ w: 16, h: 16 }, scale(1), { clipRect: [0, 0, 6, 16] })], () => red);
    const [Y] = rgbToYuv(255, 0, 0);
    for (let yy = 0; yy < 16; yy++) {
      for (let xx = 0; xx < 16; xx++) expect(y[yy * 16 + xx]).toBe(xx < 6 ? Y : 16);
    }
  });

  it('draws later layers over earlier ones', () => {
    const red = { image: solidYuva([255, 0, 0, 255]) };
    const blue = { image: solidYuva([0, 0, 255, 255]) };
    const a = layer({ w: 16, h: 16 }, scale(1), { ref: { track: 0, index: 0, key: 'a' } });
    const b = layer({ w: 16, h: 16 }, scale(1), { ref: { track: 1, index: 0, key: 'b' } });
    const pic = (l: Layer) => (l.ref.key === 'a' ? red : blue);
    expect([...uniform(draw(16, 16, [a, b], pic).y)]).toEqual([rgbToYuv(0, 0, 255)[0]]);
    expect([...uniform(draw(16, 16, [b, a], pic).y)]).toEqual([rgbToYuv(255, 0, 0)[0]]);
  });

  it('draws an overlay layer in its own colour, not the picture', () => {
    const overlay = layer({ w: 16, h: 16 }, scale(1), { kind: 'overlay', color: [0, 255, 0, 255] });
    const { y } = draw(16, 16, [overlay], () => {
      throw new Error('an overlay needs no picture');
    });
    expect([...uniform(y)]).toEqual([rgbToYuv(0, 255, 0)[0]]);
  });

  it('a full-frame colour layer on a 16:9 frame covers its edge columns completely', () => {
    // The 4×4 solid is stretched 8× across and 4.5× down: each axis needs its own edge width.
    const overlay = layer({ w: 32, h: 18 }, scale(1), { kind: 'overlay', color: [255, 255, 255, 255] });
    const { y } = draw(32, 18, [overlay], () => {
      throw new Error('an overlay needs no picture');
    });
    expect([...uniform(y)]).toEqual([rgbToYuv(255, 255, 255)[0]]);
  });
});

/** A deterministic pseudo-random picture with an alpha channel. */
function noisePicture(w: number, h: number, seed: number, withAlpha: boolean): YuvaImage {
  let s = seed >>> 0;
  const next = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s >>> 24;
  };
  const cw = chromaSize(w);
  const ch = chromaSize(h);
  const fill = (n: number) => Uint8Array.from({ length: n }, next);
  return {
    w,
    h,
    y: fill(w * h),
    u: fill(cw * ch),
    v: fill(cw * ch),
    a: withAlpha ? fill(w * h) : null,
    a2: withAlpha ? fill(cw * ch) : null,
  };
}

describe.skipIf(native.name !== 'native')('native and JavaScript kernels', () => {
  it('give byte-identical frames through the Compositor for a busy scene', () => {
    const W = 96;
    const H = 54;
    const tl = parseTimeline({
      output: { width: W, height: H, duration: 2 },
      tracks: [
        {
          clips: [
            { type: 'image', src: 'a.png', start: 0, duration: 2, camera: { from: { zoom: 1.3, x: 0.2 } } },
          ],
        },
        {
          clips: [
            {
              type: 'image',
              src: 'b.png',
              start: 0,
              duration: 2,
              fit: 'contain',
              transform: { rotation: 17, scale: 0.7, x: 0.6, opacity: 0.8 },
              transitionIn: { type: 'fade', duration: 1, color: '#40208080' },
            },
          ],
        },
        {
          clips: [
            {
              type: 'color',
              color: '#ff800090',
              start: 0,
              duration: 2,
              transform: { scale: 0.4, rotation: -30 },
              transitionIn: { type: 'wipe', duration: 1, direction: 'up' },
            },
            {
              type: 'text',
              text: 'x',
              start: 0,
              duration: 2,
              transitionIn: { type: 'zoom', duration: 1 },
            },
          ],
        },
      ],
    });
    const sizes: Record<string, { w: number; h: number }> = {
      't0.c0': { w: 123, h: 77 },
      't1.c0': { w: 40, h: 64 },
      't2.c0': { w: W, h: H },
      't2.c1': { w: 76.8, h: 43.2 },
    };
    const pics: Record<string, Picture> = {
      't0.c0': { image: noisePicture(123, 77, 1, false) },
      't1.c0': { image: noisePicture(40, 64, 2, true) },
      't2.c0': { image: solidYuva([255, 128, 0, 0x90]) },
      // Prepared at a different size than its intrinsic one, with content bounds.
      't2.c1': { image: noisePicture(60, 34, 3, true), content: [5, 4, 70, 40] },
    };
    const ctx: LayerContext = {
      width: W,
      height: H,
      pictureSize: (ref) => sizes[ref.key]!,
      clipDuration: () => 2,
    };
    for (const t of [0.2, 0.5, 0.8, 1.5]) {
      const layers = layersAt(tl, t, ctx);
      expect(layers.length).toBeGreaterThanOrEqual(4);
      const a = draw(W, H, layers, (l) => pics[l.ref.key]!, jsKernels, [10, 20, 30, 255]);
      const b = draw(W, H, layers, (l) => pics[l.ref.key]!, native, [10, 20, 30, 255]);
      expect(Buffer.from(b.frame).equals(Buffer.from(a.frame)), `t = ${t}`).toBe(true);
    }
  });

  it('give identical frames for rotations at many angles and sub-pixel offsets', () => {
    const pic = { image: noisePicture(31, 17, 7, true) };
    for (let deg = 0; deg < 360; deg += 23) {
      const fwd = compose(
        translate(20.37, 11.81),
        compose(rotate(deg), compose(scale(1.3, 0.9), translate(-15.5, -8.5))),
      );
      const l = layer({ w: 31, h: 17 }, fwd, { opacity: 0.77 });
      const a = draw(40, 24, [l], () => pic, jsKernels);
      const b = draw(40, 24, [l], () => pic, native);
      expect(Buffer.from(b.frame).equals(Buffer.from(a.frame)), `${deg}°`).toBe(true);
    }
  });
});
