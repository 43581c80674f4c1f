import type { Picture } from '../compositor.js';
import { IDENTITY, scale } from '../geometry.js';
import type { Layer } from '../layers.js';
import { chromaSize } from '../yuv-image.js';

/** A whole I420 frame as a picture (views onto its planes, no copy). */
export function framePicture(frame: Uint8Array, w: number, h: number): Picture {
  const ys = w * h;
  const cs = chromaSize(w) * chromaSize(h);
  return {
    image: {
      w,
      h,
      y: frame.subarray(0, ys),
      u: frame.subarray(ys, ys + cs),
      v: frame.subarray(ys + cs, ys + 2 * cs),
      a: null,
      a2: null,
    },
  };
}

/**
 * A layer that draws a whole w×h frame over a W×H frame (1:1 when equal, else scaled with the
 * compositor's bilinear kernel), opaque and fully covering: a copy, or an upscale.
 */
export function frameLayer(w: number, h: number, W = w, H = h): Layer {
  return {
    ref: { track: -1, index: -1, key: 'frame' },
    kind: 'picture',
    color: null,
    forward: W === w && H === h ? IDENTITY : scale(W / w, H / h),
    window: [0, 0, w, h],
    opacity: 1,
    clipRect: null,
    local: 0,
    size: { w, h },
  };
}
