import type { Rgba } from '../color.js';
import { Compositor, type Picture } from '../compositor.js';
import { compose, mappedBounds, translate } from '../geometry.js';
import type { Kernels } from '../kernels/kernels.js';
import type { Layer, LayerPose } from '../layers.js';
import { chromaSize } from '../yuv-image.js';
import { frameLayer, framePicture } from './frame-picture.js';

/** A rectangle of the frame, x0 y0 inclusive, x1 y1 exclusive, all even (so chroma aligns). */
type Region = [number, number, number, number];

/**
 * Draws a frame whose layers may carry motion poses (effects/motion-blur.ts). Layers are drawn bottom
 * first. A moving layer is averaged over its own samples on top of what is already drawn: each sample
 * draws it (at that pose) over the frame so far, within the region its poses cover only, and the
 * samples' mean replaces that region. Still layers are drawn once. A single moving layer thus gets
 * exactly the average of whole-frame renders; several moving layers are each averaged over what lies
 * under them (their samples are independent), which keeps the cost per sample to the moving layer's
 * own area. Working buffers are kept between frames.
 */
export class ShutterCompositor {
  readonly #c: Compositor;
  readonly #k: Kernels;
  readonly #w: number;
  readonly #h: number;
  readonly #bg: Rgba;
  readonly #regions = new Map<string, Compositor>();
  #base = new Uint8Array(0);
  #sample = new Uint8Array(0);
  #acc = new Uint16Array(0);

  constructor(compositor: Compositor, width: number, height: number, background: Rgba, kernels: Kernels) {
    this.#c = compositor;
    this.#k = kernels;
    this.#w = width;
    this.#h = height;
    this.#bg = background;
  }

  /** Draws `layers` into `frame`; returns the most samples any layer took (1 when none moves). */
  draw(frame: Uint8Array, layers: readonly Layer[], picture: (l: Layer) => Picture): number {
    const first = layers.findIndex((l) => l.motion);
    if (first < 0 || frame.length !== this.#c.frameBytes) {
      // Transparent frames (alpha plane) are drawn without motion blur: averaging straight colours
      // of differing alpha would be wrong, and they are rare enough not to need it.
      this.#c.draw(frame, layers, picture);
      return 1;
    }
    this.#c.draw(frame, layers.slice(0, first), picture);
    let samples = 1;
    let still: Layer[] = [];
    for (let i = first; i < layers.length; i++) {
      const l = layers[i]!;
      if (!l.motion) {
        still.push(l);
        continue;
      }
      if (still.length) this.#drawOver(frame, still, picture);
      still = [];
      // Over the background alone (nothing drawn yet) the region needs no copy of the frame.
      this.#blurLayer(frame, l, picture, i === 0);
      samples = Math.max(samples, l.motion.length);
    }
    if (still.length) this.#drawOver(frame, still, picture);
    return samples;
  }

  /** Averages one moving layer over its poses, on top of the frame so far, within its region. */
  #blurLayer(frame: Uint8Array, layer: Layer, picture: (l: Layer) => Picture, overBackground: boolean): void {
    const poses = layer.motion!;
    const pic = picture(layer);
    const r = this.#region(poses, pic.content);
    if (!r) return;
    const [rw, rh] = [r[2] - r[0], r[3] - r[1]];
    const rc = this.#regionCompositor(rw, rh);
    const bytes = rc.frameBytes;
    // An opaque picture covering the whole region in every pose (a full-frame photo) hides what is
    // under it, so its samples need no copy of the frame: they are averaged alone, then blended once.
    const covering = !overBackground && coversRegion(layer, poses, pic, r);
    const base = overBackground || covering ? null : this.#copyOut(frame, r, this.#buffer('base', bytes));
    const basePic = base ? framePicture(base, rw, rh) : null;
    const baseLayer = frameLayer(rw, rh);
    const sample = this.#buffer('sample', bytes);
    if (this.#acc.length < bytes) this.#acc = new Uint16Array(bytes);
    const acc = this.#acc.subarray(0, bytes);
    acc.fill(0);
    const shift = translate(-r[0], -r[1]);
    for (const pose of poses) {
      const d: Layer = {
        ...layer,
        ...pose,
        ...(covering ? { opacity: 1 } : {}),
        forward: compose(shift, pose.forward),
        clipRect: pose.clipRect && [
          pose.clipRect[0] - r[0],
          pose.clipRect[1] - r[1],
          pose.clipRect[2] - r[0],
          pose.clipRect[3] - r[1],
        ],
      };
      rc.draw(sample, basePic ? [baseLayer, d] : [d], (l) => (l === baseLayer ? basePic! : pic));
      this.#k.accumulate(acc, sample);
    }
    this.#k.resolveAccumulator(acc, poses.length, sample);
    if (covering) {
      const under = this.#copyOut(frame, r, this.#buffer('base', bytes));
      this.#k.lerpPlane(under, under, sample, Math.round(Math.min(1, layer.opacity) * 256));
      this.#copyIn(under, frame, r);
    } else {
      this.#copyIn(sample, frame, r);
    }
  }

  /** Draws still layers over the frame so far, within the region they cover. */
  #drawOver(frame: Uint8Array, layers: readonly Layer[], picture: (l: Layer) => Picture): void {
    const r = layers.reduce<Region | null>((acc, l) => {
      const lr = this.#region([l], l.kind === 'picture' ? picture(l).content : undefined);
      if (!lr) return acc;
      if (!acc) return lr;
      return [
        Math.min(acc[0], lr[0]),
        Math.min(acc[1], lr[1]),
        Math.max(acc[2], lr[2]),
        Math.max(acc[3], lr[3]),
      ];
    }, null);
    if (!r) return;
    const [rw, rh] = [r[2] - r[0], r[3] - r[1]];
    const rc = this.#regionCompositor(rw, rh);
    const base = this.#copyOut(frame, r, this.#buffer('base', rc.frameBytes));
    const basePic = framePicture(base, rw, rh);
    const baseLayer = frameLayer(rw, rh);
    const shift = translate(-r[0], -r[1]);
    const moved = new Map<Layer, Layer>();
    const shifted = layers.map((l) => {
      const c = l.clipRect;
      const d: Layer = {
        ...l,
        forward: compose(shift, l.forward),
        clipRect: c && [c[0] - r[0], c[1] - r[1], c[2] - r[0], c[3] - r[1]],
      };
      moved.set(d, l);
      return d;
    });
    const out = this.#buffer('sample', rc.frameBytes);
    rc.draw(out, [baseLayer, ...shifted], (l) => (l === baseLayer ? basePic : picture(moved.get(l) ?? l)));
    this.#copyIn(out, frame, r);
  }

  /** The even-aligned part of the frame that any of the poses can touch, or null when none. */
  #region(poses: readonly LayerPose[], content?: Picture['content']): Region | null {
    let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const p of poses) {
      const w = content ? intersect(p.window, content) : p.window;
      let b = mappedBounds(p.forward, w[0], w[1], w[2], w[3]);
      if (p.clipRect) {
        const c = p.clipRect;
        b = [Math.max(b[0], c[0]), Math.max(b[1], c[1]), Math.min(b[2], c[2]), Math.min(b[3], c[3])];
      }
      if (b[2] <= b[0] || b[3] <= b[1]) continue;
      [x0, y0, x1, y1] = [Math.min(x0, b[0]), Math.min(y0, b[1]), Math.max(x1, b[2]), Math.max(y1, b[3])];
    }
    // Two pixels of margin for the bilinear footprint and anti-aliased edges; even for 4:2:0.
    const r: Region = [
      Math.max(0, (Math.floor(x0) - 2) & ~1),
      Math.max(0, (Math.floor(y0) - 2) & ~1),
      Math.min(this.#w, (Math.ceil(x1) + 3) & ~1),
      Math.min(this.#h, (Math.ceil(y1) + 3) & ~1),
    ];
    return r[2] > r[0] && r[3] > r[1] ? r : null;
  }

  #regionCompositor(w: number, h: number): Compositor {
    if (w === this.#w && h === this.#h) return this.#c;
    const key = `${w}x${h}`;
    let c = this.#regions.get(key);
    if (!c) {
      if (this.#regions.size >= 16) this.#regions.clear();
      c = new Compositor(w, h, this.#bg, this.#k);
      this.#regions.set(key, c);
    }
    return c;
  }

  #buffer(which: 'base' | 'sample', bytes: number): Uint8Array {
    if (which === 'base') {
      if (this.#base.length < bytes) this.#base = new Uint8Array(bytes);
      return this.#base.subarray(0, bytes);
    }
    if (this.#sample.length < bytes) this.#sample = new Uint8Array(bytes);
    return this.#sample.subarray(0, bytes);
  }

  /** Copies a region of an I420 frame into a compact I420 frame of the region's size. */
  #copyOut(frame: Uint8Array, r: Region, out: Uint8Array): Uint8Array {
    this.#planes(frame, r, out, false);
    return out;
  }

  /** Writes a compact region frame back into its place. */
  #copyIn(region: Uint8Array, frame: Uint8Array, r: Region): void {
    this.#planes(frame, r, region, true);
  }

  #planes(frame: Uint8Array, r: Region, small: Uint8Array, into: boolean): void {
    const [W, H] = [this.#w, this.#h];
    const [rw, rh] = [r[2] - r[0], r[3] - r[1]];
    if (rw === W && rh === H) {
      if (into) frame.set(small.subarray(0, frame.length));
      else small.set(frame.subarray(0, small.length));
      return;
    }
    const copy = (
      fOff: number,
      fw: number,
      sOff: number,
      sw: number,
      x: number,
      y: number,
      w: number,
      h: number,
    ) => {
      for (let row = 0; row < h; row++) {
        const f = fOff + (y + row) * fw + x;
        const s = sOff + row * sw;
        if (into) frame.set(small.subarray(s, s + w), f);
        else small.set(frame.subarray(f, f + w), s);
      }
    };
    const [cw, ch, rcw, rch] = [chromaSize(W), chromaSize(H), rw >> 1, rh >> 1];
    copy(0, W, 0, rw, r[0], r[1], rw, rh);
    const fu = W * H;
    const su = rw * rh;
    copy(fu, cw, su, rcw, r[0] >> 1, r[1] >> 1, rcw, rch);
    copy(fu + cw * ch, cw, su + rcw * rch, rcw, r[0] >> 1, r[1] >> 1, rcw, rch);
  }
}

function intersect(
  a: readonly [number, number, number, number],
  b: readonly [number, number, number, number],
): [number, number, number, number] {
  return [Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.min(a[3], b[3])];
}

/**
 * Whether a layer hides the region completely in every pose: an opaque picture without a clipping
 * rectangle, mapped without rotation, whose window covers it (then every pixel is fully covered).
 */
function coversRegion(layer: Layer, poses: readonly LayerPose[], pic: Picture, r: Region): boolean {
  if (layer.kind !== 'picture' || pic.image.a || pic.content) return false;
  return poses.every((p) => {
    const f = p.forward;
    if (p.clipRect || f[1] !== 0 || f[3] !== 0) return false;
    const [u0, v0, u1, v1] = p.window;
    const b = mappedBounds(f, u0, v0, u1, v1);
    // A thousandth of a pixel of slack: a window that meets the frame's edge maps there only nearly.
    const e = 1e-3;
    return b[0] <= r[0] + e && b[1] <= r[1] + e && b[2] >= r[2] - e && b[3] >= r[3] - e;
  });
}
