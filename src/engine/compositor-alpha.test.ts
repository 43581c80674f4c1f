import { describe, expect, it } from 'vitest';
import { type Rgba, rgbToYuv } from './color.js';
import { Compositor, type Picture } from './compositor.js';
import { type Affine, compose, scale, translate } from './geometry.js';
import { jsKernels } from './kernels/js-kernels.js';
import { type Kernels, loadKernels } from './kernels/kernels.js';
import type { Layer } from './layers.js';
import { solidYuva } from './yuv-image.js';

const W = 16;
const H = 8;
const CLEAR: Rgba = [0, 0, 0, 0];

/** A solid 4×4 picture drawn over the output rectangle [x0, x1) × [y0, y1). */
function solidLayer(x0: number, y0: number, x1: number, y1: number, opacity = 1): Layer {
  const forward: Affine = compose(translate(x0, y0), scale((x1 - x0) / 4, (y1 - y0) / 4));
  return {
    ref: { track: 0, index: 0, key: 't0.c0' },
    kind: 'picture',
    color: null,
    forward,
    window: [0, 0, 4, 4],
    opacity,
    clipRect: null,
    local: 0,
    size: { w: 4, h: 4 },
  };
}

function drawAlpha(bg: Rgba, layers: { layer: Layer; color: Rgba }[], kernels: Kernels = jsKernels) {
  const c = new Compositor(W, H, bg, kernels);
  const frame = new Uint8Array(c.alphaFrameBytes);
  const pics = new Map(layers.map((l) => [l.layer, { image: solidYuva(l.color) } satisfies Picture]));
  c.draw(
    frame,
    layers.map((l) => l.layer),
    (l) => pics.get(l)!,
  );
  const c2 = (W / 2) * (H / 2);
  return {
    frame,
    y: frame.subarray(0, W * H),
    u: frame.subarray(W * H, W * H + c2),
    v: frame.subarray(W * H + c2, W * H + 2 * c2),
    a: frame.subarray(W * H + 2 * c2),
  };
}

describe('Compositor with an alpha plane (yuva420p frames)', () => {
  it('takes an alpha plane when the frame is alphaFrameBytes long', () => {
    const c = new Compositor(W, H, CLEAR, jsKernels);
    expect(c.alphaFrameBytes).toBe(c.frameBytes + W * H);
  });

  it('shows a transparent background as alpha 0 and an opaque layer as 255 in its own colour', () => {
    const red: Rgba = [220, 30, 30, 255];
    const { y, u, a } = drawAlpha(CLEAR, [{ layer: solidLayer(4, 0, 12, 8), color: red }]);
    const [ry, ru] = rgbToYuv(220, 30, 30);
    expect(a[0]).toBe(0);
    expect(a[W - 1]).toBe(0);
    expect(a[3 * W + 8]).toBe(255);
    expect(y[3 * W + 8]).toBe(ry);
    expect(u[1 * (W / 2) + 4]).toBe(ru);
    // Under full transparency the colour is black: nothing to un-premultiply.
    expect(y[0]).toBe(16);
  });

  it('keeps a half-transparent layer’s colour straight (not darkened by the clear background)', () => {
    const red: Rgba = [220, 30, 30, 255];
    const { y, v, a } = drawAlpha(CLEAR, [{ layer: solidLayer(0, 0, W, H, 0.5), color: red }]);
    const [ry, , rv] = rgbToYuv(220, 30, 30);
    expect(Math.abs(a[3 * W + 8]! - 128)).toBeLessThanOrEqual(1);
    expect(Math.abs(y[3 * W + 8]! - ry)).toBeLessThanOrEqual(1);
    expect(Math.abs(v[1 * (W / 2) + 4]! - rv)).toBeLessThanOrEqual(1);
  });

  it('composites "over": two half-transparent layers give alpha 0.75 and the weighted colour', () => {
    const red: Rgba = [255, 0, 0, 255];
    const blue: Rgba = [0, 0, 255, 255];
    const { y, a } = drawAlpha(CLEAR, [
      { layer: solidLayer(0, 0, W, H, 0.5), color: red },
      { layer: solidLayer(0, 0, W, H, 0.5), color: blue },
    ]);
    expect(Math.abs(a[20]! - 191)).toBeLessThanOrEqual(1);
    // Straight colour = (blue·0.5 + red·0.5·0.5) / 0.75 = blue·2/3 + red·1/3.
    const expected = (rgbToYuv(0, 0, 255)[0] - 16) * (2 / 3) + (rgbToYuv(255, 0, 0)[0] - 16) / 3 + 16;
    expect(Math.abs(y[20]! - expected)).toBeLessThanOrEqual(1.5);
  });

  it('uses the background’s own alpha, and draws the same colours as without alpha when all is opaque', () => {
    const half = drawAlpha([0, 255, 0, 128], []);
    expect(new Set(half.a)).toEqual(new Set([128]));
    expect(new Set(half.y)).toEqual(new Set([rgbToYuv(0, 255, 0)[0]]));

    for (const kernels of [jsKernels, loadKernels('native')]) {
      const bg: Rgba = [10, 20, 30, 255];
      const layer = solidLayer(3, 1, 11, 7, 0.7);
      const withAlpha = drawAlpha(bg, [{ layer, color: [200, 100, 50, 255] }], kernels);
      const c = new Compositor(W, H, bg, kernels);
      const plain = new Uint8Array(c.frameBytes);
      c.draw(plain, [layer], () => ({ image: solidYuva([200, 100, 50, 255]) }));
      expect(Buffer.from(withAlpha.frame.subarray(0, c.frameBytes)).equals(Buffer.from(plain))).toBe(true);
      expect(new Set(withAlpha.a)).toEqual(new Set([255]));
    }
  });
});
