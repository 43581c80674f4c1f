import { BLEND_PARAMS, type Kernels } from '../kernels/kernels.js';
import { chromaSize } from '../yuv-image.js';

/**
 * Scales a whole I420 frame (and its alpha plane, when both frames carry one) to another size with
 * the compositor's bilinear kernel, plane by plane, overwriting `dst`: the last step of rendering at
 * params.resolutionScale. Pixel centres map onto pixel centres; edges are clamped.
 */
export function upscaleFrame(
  kernels: Kernels,
  src: Uint8Array,
  sw: number,
  sh: number,
  dst: Uint8Array,
  dw: number,
  dh: number,
  p = new Float64Array(BLEND_PARAMS.length),
): void {
  const sy = sw * sh;
  const sc = chromaSize(sw) * chromaSize(sh);
  const dy = dw * dh;
  const dc = chromaSize(dw) * chromaSize(dh);
  const plane = (s: Uint8Array, w: number, h: number, d: Uint8Array, W: number, H: number) => {
    p.fill(0);
    p[BLEND_PARAMS.matrix] = w / W;
    p[BLEND_PARAMS.matrix + 4] = h / H;
    p[BLEND_PARAMS.opacity] = 65536;
    p.set([0, 0, W, H], BLEND_PARAMS.rect);
    p[BLEND_PARAMS.aa] = 1e6; // every destination pixel fully covered
    p[BLEND_PARAMS.aaV] = 1e6;
    p.set([-1, -1, w + 1, h + 1], BLEND_PARAMS.window);
    kernels.affineBlend(d, W, H, s, w, h, null, p);
  };
  plane(src.subarray(0, sy), sw, sh, dst.subarray(0, dy), dw, dh);
  const [scw, sch, dcw, dch] = [chromaSize(sw), chromaSize(sh), chromaSize(dw), chromaSize(dh)];
  plane(src.subarray(sy, sy + sc), scw, sch, dst.subarray(dy, dy + dc), dcw, dch);
  plane(src.subarray(sy + sc, sy + 2 * sc), scw, sch, dst.subarray(dy + dc, dy + 2 * dc), dcw, dch);
  if (src.length >= 2 * sy + 2 * sc && dst.length >= 2 * dy + 2 * dc) {
    plane(
      src.subarray(sy + 2 * sc, 2 * sy + 2 * sc),
      sw,
      sh,
      dst.subarray(dy + 2 * dc, 2 * dy + 2 * dc),
      dw,
      dh,
    );
  }
}
