import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsKernels } from './js-kernels.js';
import { BLEND_PARAMS, loadKernels } from './kernels.js';
import {
  blendParams,
  randomMismatches,
  randomPlane,
  rng,
  rotatedMismatches,
  wideRowMismatches,
} from './test-support/kernel-cases.js';

describe('compositing kernels', () => {
  it('identity map with full opacity copies the source exactly', () => {
    const r = rng(1);
    const src = randomPlane(32 * 16, r);
    const dst = new Uint8Array(32 * 16);
    jsKernels.affineBlend(
      dst,
      32,
      16,
      src,
      32,
      16,
      null,
      blendParams([1, 0, 0, 0, 1, 0], 65536, [0, 0, 32, 16], 1),
    );
    // Edge pixels are half covered by design (anti-aliased borders); the interior is an exact copy.
    for (let y = 1; y < 15; y++) {
      for (let x = 1; x < 31; x++) expect(dst[y * 32 + x]).toBe(src[y * 32 + x]);
    }
  });

  it('half opacity blends halfway between destination and source', () => {
    const src = new Uint8Array(64).fill(200);
    const dst = new Uint8Array(64).fill(100);
    jsKernels.affineBlend(
      dst,
      8,
      8,
      src,
      8,
      8,
      null,
      blendParams([1, 0, 0, 0, 1, 0], 32768, [0, 0, 8, 8], 1),
    );
    expect(dst[3 * 8 + 3]).toBe(150);
  });

  it('an alpha plane of zero leaves the destination untouched', () => {
    const src = new Uint8Array(64).fill(200);
    const alpha = new Uint8Array(64);
    const dst = new Uint8Array(64).fill(100);
    jsKernels.affineBlend(
      dst,
      8,
      8,
      src,
      8,
      8,
      alpha,
      blendParams([1, 0, 0, 0, 1, 0], 65536, [0, 0, 8, 8], 1),
    );
    expect([...dst].every((v) => v === 100)).toBe(true);
  });

  it('native and JavaScript kernels produce identical bytes', () => {
    const native = loadKernels('native');
    if (native.name !== 'native') {
      // The addon is built by `npm ci`; without a compiler only the JavaScript kernels exist.
      expect(native.name).toBe('javascript');
      return;
    }
    expect(randomMismatches(native)).toEqual([]);
    const r = rng(42);
    const lut = randomPlane(256, r);
    const plane = randomPlane(1000, r);
    const p1 = Uint8Array.from(plane);
    const p2 = Uint8Array.from(plane);
    jsKernels.lutPlane(p1, lut);
    native.lutPlane(p2, lut);
    expect(Buffer.from(p2).equals(Buffer.from(p1))).toBe(true);
  });

  it('native and JavaScript kernels agree on wide scaled and mirrored rows (the shuffle path)', () => {
    const native = loadKernels('native');
    if (native.name !== 'native') return;
    expect(wideRowMismatches(native)).toEqual([]);
  });

  it('native and JavaScript kernels agree on rotated and skewed layers (the general path)', () => {
    const native = loadKernels('native');
    if (native.name !== 'native') return;
    expect(rotatedMismatches(native)).toEqual([]);
  });

  it('the plain C path (REELFORGE_NO_SIMD=1) agrees with the JavaScript kernels on every case too', () => {
    if (loadKernels('native').name !== 'native') return;
    const script = join(import.meta.dirname, 'test-support', 'kernel-cases-child.ts');
    const out = execFileSync(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, REELFORGE_NO_SIMD: '1' },
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toEqual({ kernels: 'native', mismatches: [] });
  });

  it('the native kernel refuses buffers smaller than their dimensions', () => {
    const native = loadKernels('native');
    if (native.name !== 'native') return;
    expect(() =>
      native.affineBlend(
        new Uint8Array(10),
        8,
        8,
        new Uint8Array(64),
        8,
        8,
        null,
        new Float64Array(BLEND_PARAMS.length),
      ),
    ).toThrow(/buffer sizes/);
  });
});

describe('RGBA → Y′CbCr kernel', () => {
  const native = loadKernels();
  const tables = (() => {
    // Same packing as yuv-image.ts: nine 256-entry tables.
    const t = new Int32Array(9 * 256);
    const k = [0.2126, 0.7152, 0.0722];
    const ys = 219 / 255;
    const cs = 224 / 255;
    const coeff = [
      k[0]! * ys,
      k[1]! * ys,
      k[2]! * ys,
      (-k[0]! / (2 * (1 - k[2]!))) * cs,
      (-k[1]! / (2 * (1 - k[2]!))) * cs,
      0.5 * cs,
      0.5 * cs,
      (-k[1]! / (2 * (1 - k[0]!))) * cs,
      (-k[2]! / (2 * (1 - k[0]!))) * cs,
    ];
    coeff.forEach((c, j) => {
      for (let i = 0; i < 256; i++) t[j * 256 + i] = Math.round(i * c * 65536);
    });
    return t;
  })();

  function convert(kernels: typeof jsKernels, rgba: Uint8Array, w: number, h: number, alpha: boolean) {
    const cn = ((w + 1) >> 1) * ((h + 1) >> 1);
    const out = {
      y: new Uint8Array(w * h),
      u: new Uint8Array(cn),
      v: new Uint8Array(cn),
      a: alpha ? new Uint8Array(w * h) : null,
      a2: alpha ? new Uint8Array(cn) : null,
    };
    kernels.rgbaToYuv(rgba, w, h, out.y, out.u, out.v, out.a, out.a2, tables);
    return out;
  }

  it.runIf(native.name === 'native')('native and JavaScript agree byte for byte, odd sizes and alpha', () => {
    const r = rng(7);
    for (const [w, h] of [
      [1, 1],
      [7, 5],
      [64, 33],
    ] as const) {
      const rgba = randomPlane(w * h * 4, r);
      for (const alpha of [false, true]) {
        expect(convert(native, rgba, w, h, alpha)).toEqual(convert(jsKernels, rgba, w, h, alpha));
      }
    }
  });

  it('maps white and black to limited-range Y′CbCr and weights chroma by alpha', () => {
    const white = new Uint8Array([255, 255, 255, 255]);
    expect(convert(jsKernels, white, 1, 1, false)).toMatchObject({
      y: Uint8Array.of(235),
      u: Uint8Array.of(128),
    });
    // A red pixel next to a fully transparent green one: the chroma is (almost) all red.
    const pair = new Uint8Array([255, 0, 0, 255, 0, 255, 0, 0]);
    const redOnly = convert(jsKernels, new Uint8Array([255, 0, 0, 255]), 1, 1, false);
    const mixed = convert(jsKernels, pair, 2, 1, true);
    expect(Math.abs(mixed.v[0]! - redOnly.v[0]!)).toBeLessThanOrEqual(1);
    expect(mixed.a2![0]).toBe(128);
  });

  it('refuses planes too small for the picture', () => {
    if (native.name !== 'native') return;
    const rgba = new Uint8Array(16);
    expect(() =>
      native.rgbaToYuv(
        rgba,
        4,
        4,
        new Uint8Array(16),
        new Uint8Array(4),
        new Uint8Array(4),
        null,
        null,
        tables,
      ),
    ).toThrow(/too small/);
  });
});
