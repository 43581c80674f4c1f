import { type Rgba, rgbToYuv } from './color.js';
import { type Affine, compose, invert, mappedBounds, scale } from './geometry.js';
import { BLEND_PARAMS, type Kernels } from './kernels/kernels.js';
import type { Layer } from './layers.js';
import { chromaSize, solidYuva, type YuvaImage } from './yuv-image.js';

/** A picture ready to draw, with the part of it that has visible content (intrinsic pixels), if known. */
export interface Picture {
  image: YuvaImage;
  /** Bounds of non-transparent content in intrinsic pixels; drawing is limited to it. */
  content?: readonly [number, number, number, number];
}

/**
 * Draws layers into an I420 frame (Y plane, then U, then V) — the encoder's input format. One
 * instance per output size; it reuses its parameter block, so drawing allocates nothing per frame.
 * A frame of `alphaFrameBytes` also carries a full-size alpha plane after V (yuva420p): layers are
 * then composited "over" it as well, and the background's own alpha shows (transparent videos).
 */
export class Compositor {
  readonly frameBytes: number;
  /** Size of a frame with an alpha plane: `frameBytes` + width × height. */
  readonly alphaFrameBytes: number;
  readonly #w: number;
  readonly #h: number;
  readonly #cw: number;
  readonly #ch: number;
  readonly #bg: [number, number, number];
  readonly #bgAlpha: number;
  readonly #kernels: Kernels;
  readonly #p = new Float64Array(BLEND_PARAMS.length);
  readonly #solids = new Map<string, YuvaImage>();
  /** Alpha at chroma resolution while drawing with alpha (what U and V were blended with). */
  #alpha2: Uint8Array | null = null;
  /** Opaque "source" pixels for blending coverage into an alpha plane. */
  #opaque = new Uint8Array(0);

  constructor(width: number, height: number, background: Rgba, kernels: Kernels) {
    this.#w = width;
    this.#h = height;
    this.#cw = chromaSize(width);
    this.#ch = chromaSize(height);
    this.frameBytes = width * height + 2 * this.#cw * this.#ch;
    this.alphaFrameBytes = this.frameBytes + width * height;
    this.#bg = rgbToYuv(background[0], background[1], background[2]);
    this.#bgAlpha = background[3];
    this.#kernels = kernels;
  }

  get kernels(): string {
    return this.#kernels.name;
  }

  /** Fills the frame with the background and draws every layer, bottom first. */
  draw(frame: Uint8Array, layers: readonly Layer[], picture: (layer: Layer) => Picture): void {
    const alpha = frame.length === this.alphaFrameBytes;
    const ySize = this.#w * this.#h;
    const cSize = this.#cw * this.#ch;
    if (alpha) this.#fillTransparent(frame);
    else {
      frame.fill(this.#bg[0], 0, ySize);
      frame.fill(this.#bg[1], ySize, ySize + cSize);
      frame.fill(this.#bg[2], ySize + cSize, ySize + 2 * cSize);
    }
    for (const layer of layers) {
      const pic = layer.kind === 'overlay' ? { image: this.#solid(layer.color!) } : picture(layer);
      this.#drawLayer(frame, layer, pic, alpha);
    }
    if (alpha) this.#unpremultiply(frame);
  }

  /**
   * With alpha, colours are kept premultiplied (relative to black, Y 16 and U, V 128) while drawing:
   * then the kernels' blend `src·a + dst·(1 − a)` is exactly "over", and coverage blended into the
   * alpha planes from an opaque source is too. The background starts premultiplied by its alpha.
   */
  #fillTransparent(frame: Uint8Array): void {
    const ySize = this.#w * this.#h;
    const cSize = this.#cw * this.#ch;
    const a = this.#bgAlpha / 255;
    const [y, u, v] = this.#bg;
    frame.fill(Math.round(16 + (y - 16) * a), 0, ySize);
    frame.fill(Math.round(128 + (u - 128) * a), ySize, ySize + cSize);
    frame.fill(Math.round(128 + (v - 128) * a), ySize + cSize, ySize + 2 * cSize);
    frame.fill(this.#bgAlpha, ySize + 2 * cSize, ySize * 2 + 2 * cSize);
    this.#alpha2 ??= new Uint8Array(cSize);
    this.#alpha2.fill(this.#bgAlpha);
  }

  /** Straight colours again, as encoders expect them next to an alpha plane. */
  #unpremultiply(frame: Uint8Array): void {
    const ySize = this.#w * this.#h;
    const cSize = this.#cw * this.#ch;
    const alpha = frame.subarray(ySize + 2 * cSize);
    unpremultiplyPlane(frame.subarray(0, ySize), alpha, 16);
    unpremultiplyPlane(frame.subarray(ySize, ySize + cSize), this.#alpha2!, 128);
    unpremultiplyPlane(frame.subarray(ySize + cSize, ySize + 2 * cSize), this.#alpha2!, 128);
  }

  /** `n` bytes of 255: the source whose blend through a picture's alpha gives its coverage. */
  #opaqueSource(n: number): Uint8Array {
    if (this.#opaque.length < n) this.#opaque = new Uint8Array(n).fill(255);
    return this.#opaque.subarray(0, n);
  }

  #solid(color: Rgba): YuvaImage {
    const key = color.join(',');
    let s = this.#solids.get(key);
    if (!s) {
      s = solidYuva(color);
      this.#solids.set(key, s);
    }
    return s;
  }

  #drawLayer(frame: Uint8Array, layer: Layer, pic: Picture, alpha: boolean): void {
    const img = pic.image;
    const kx = layer.size.w / img.w;
    const ky = layer.size.h / img.h;
    // prepared pixels → intrinsic pixels → output pixels
    const fwd: Affine = compose(layer.forward, scale(kx, ky));
    const inv = invert(fwd);
    if (!inv) return;
    let [u0, v0, u1, v1] = layer.window;
    if (pic.content) {
      u0 = Math.max(u0, pic.content[0]);
      v0 = Math.max(v0, pic.content[1]);
      u1 = Math.min(u1, pic.content[2]);
      v1 = Math.min(v1, pic.content[3]);
    }
    u0 /= kx;
    u1 /= kx;
    v0 /= ky;
    v1 /= ky;
    if (u1 <= u0 || v1 <= v0) return;
    const b = mappedBounds(fwd, u0, v0, u1, v1);
    let x0 = Math.max(0, Math.floor(b[0]) - 1);
    let y0 = Math.max(0, Math.floor(b[1]) - 1);
    let x1 = Math.min(this.#w, Math.ceil(b[2]) + 1);
    let y1 = Math.min(this.#h, Math.ceil(b[3]) + 1);
    if (layer.clipRect) {
      x0 = Math.max(x0, Math.round(layer.clipRect[0]));
      y0 = Math.max(y0, Math.round(layer.clipRect[1]));
      x1 = Math.min(x1, Math.round(layer.clipRect[2]));
      y1 = Math.min(y1, Math.round(layer.clipRect[3]));
    }
    if (x1 <= x0 || y1 <= y0) return;
    const p = this.#p;
    p.set(inv, BLEND_PARAMS.matrix);
    p[BLEND_PARAMS.opacity] = Math.round(Math.max(0, Math.min(1, layer.opacity)) * 65536);
    p[BLEND_PARAMS.rect] = x0;
    p[BLEND_PARAMS.rect + 1] = y0;
    p[BLEND_PARAMS.rect + 2] = x1;
    p[BLEND_PARAMS.rect + 3] = y1;
    // How far one source pixel reaches in output pixels, along each source axis.
    p[BLEND_PARAMS.aa] = Math.hypot(fwd[0], fwd[3]);
    p[BLEND_PARAMS.aaV] = Math.hypot(fwd[1], fwd[4]);
    p[BLEND_PARAMS.window] = u0;
    p[BLEND_PARAMS.window + 1] = v0;
    p[BLEND_PARAMS.window + 2] = u1;
    p[BLEND_PARAMS.window + 3] = v1;
    const k = this.#kernels;
    const W = this.#w;
    const H = this.#h;
    const ySize = W * H;
    const cSize = this.#cw * this.#ch;
    k.affineBlend(frame.subarray(0, ySize), W, H, img.y, img.w, img.h, img.a, p);
    if (alpha) {
      const a = frame.subarray(ySize + 2 * cSize, 2 * ySize + 2 * cSize);
      k.affineBlend(a, W, H, this.#opaqueSource(img.w * img.h), img.w, img.h, img.a, p);
    }
    // Chroma planes: the same map at half resolution (translation and windows halve, the linear part stays).
    p[BLEND_PARAMS.matrix + 2] = inv[2] / 2;
    p[BLEND_PARAMS.matrix + 5] = inv[5] / 2;
    p[BLEND_PARAMS.rect] = x0 >> 1;
    p[BLEND_PARAMS.rect + 1] = y0 >> 1;
    p[BLEND_PARAMS.rect + 2] = (x1 + 1) >> 1;
    p[BLEND_PARAMS.rect + 3] = (y1 + 1) >> 1;
    for (let i = 0; i < 4; i++) p[BLEND_PARAMS.window + i] = p[BLEND_PARAMS.window + i]! / 2;
    const cw = chromaSize(img.w);
    const ch = chromaSize(img.h);
    const u = frame.subarray(ySize, ySize + cSize);
    const v = frame.subarray(ySize + cSize, ySize + 2 * cSize);
    k.affineBlend(u, this.#cw, this.#ch, img.u, cw, ch, img.a2, p);
    k.affineBlend(v, this.#cw, this.#ch, img.v, cw, ch, img.a2, p);
    if (alpha)
      k.affineBlend(this.#alpha2!, this.#cw, this.#ch, this.#opaqueSource(cw * ch), cw, ch, img.a2, p);
  }
}

/** `plane = zero + (plane − zero) · 255 / alpha` where 0 < alpha < 255; `zero` where alpha is 0. */
function unpremultiplyPlane(plane: Uint8Array, alpha: Uint8Array, zero: number): void {
  for (let i = 0; i < plane.length; i++) {
    const a = alpha[i]!;
    if (a === 255) continue;
    if (a === 0) {
      plane[i] = zero;
      continue;
    }
    const c = zero + Math.round(((plane[i]! - zero) * 255) / a);
    plane[i] = Math.min(255, Math.max(0, c));
  }
}
