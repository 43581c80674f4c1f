import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import sharp from 'sharp';
import { ReelforgeError } from '../errors.js';
import type { GradientClip, TextClip } from '../timeline/schema.js';
import { adjustmentLuts } from './color.js';
import type { Picture } from './compositor.js';
import type { Kernels } from './kernels/kernels.js';
import { type YuvaImage, yuvaFromRgba } from './yuv-image.js';

/** Brightness/contrast/saturation already resolved against params.grade. */
export interface ResolvedAdjust {
  brightness: number;
  contrast: number;
  saturation: number;
}

/** Applies an adjustment to a picture's planes in place (luma table on Y, chroma table on U and V). */
export function applyAdjust(img: YuvaImage, adjust: ResolvedAdjust | null, kernels: Kernels): void {
  const luts = adjust ? adjustmentLuts(adjust) : null;
  if (!luts) return;
  kernels.lutPlane(img.y, luts.y);
  kernels.lutPlane(img.u, luts.c);
  kernels.lutPlane(img.v, luts.c);
}

/** The displayed size of an image file: EXIF orientations 5–8 swap width and height. */
export async function imageSize(path: string): Promise<{ w: number; h: number }> {
  try {
    const m = await sharp(path).metadata();
    if (!m.width || !m.height) throw new Error('no dimensions');
    const swap = (m.orientation ?? 1) >= 5;
    return swap ? { w: m.height, h: m.width } : { w: m.width, h: m.height };
  } catch (e) {
    throw new ReelforgeError('MEDIA_UNREADABLE', `cannot read image ${path}: ${(e as Error).message}`, {
      status: 422,
      retryable: false,
      cause: e,
    });
  }
}

/** Decodes an image once, oriented and resized (Lanczos) to the size it will be drawn at. */
export async function loadImagePicture(
  path: string,
  w: number,
  h: number,
  kernels?: Kernels,
): Promise<Picture> {
  try {
    const { data, info } = await sharp(path, { limitInputPixels: 268_402_689 })
      .rotate()
      .resize(w, h, { fit: 'fill', kernel: 'lanczos3' })
      .toColourspace('srgb')
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { image: yuvaFromRgba(data, info.width, info.height, kernels) };
  } catch (e) {
    throw new ReelforgeError('MEDIA_UNREADABLE', `cannot decode image ${path}: ${(e as Error).message}`, {
      status: 422,
      retryable: false,
      cause: e,
    });
  }
}

/** Bounds of pixels with any alpha, in canvas pixels, or null when nothing was drawn. */
function alphaBounds(rgba: Uint8ClampedArray, w: number, h: number): [number, number, number, number] | null {
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (rgba[(y * w + x) * 4 + 3] === 0) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? null : [x0, y0, x1 + 1, y1 + 1];
}

function wrapLines(ctx: SKRSContext2D, text: string, maxWidth: number, wrap: boolean): string[] {
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    if (!wrap) {
      out.push(paragraph);
      continue;
    }
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      const candidate = line ? `${line} ${word}` : word;
      if (line && ctx.measureText(candidate).width > maxWidth) {
        out.push(line);
        line = word;
      } else {
        line = candidate;
      }
    }
    out.push(line);
  }
  return out;
}

/**
 * Draws a text clip once into a canvas the size of its box (times `renderScale`, so that text
 * scaled up later stays sharp). Font size is in pixels at a 1080-pixel-high output.
 */
export function renderTextPicture(
  clip: TextClip,
  boxW: number,
  boxH: number,
  outputHeight: number,
  renderScale: number,
): Picture {
  const k = renderScale;
  const cw = Math.max(1, Math.ceil(boxW * k));
  const ch = Math.max(1, Math.ceil(boxH * k));
  const canvas = createCanvas(cw, ch);
  const ctx = canvas.getContext('2d');
  const px = (clip.font.size * outputHeight) / 1080;
  const sizePx = px * k;
  ctx.font = `${clip.font.style} ${clip.font.weight} ${sizePx}px "${clip.font.family}"`;
  const pad = clip.background ? (clip.background.padding * outputHeight * k) / 1080 : 0;
  const lines = wrapLines(ctx, clip.text, cw - 2 * pad, clip.wrap);
  const lineH = sizePx * clip.lineHeight;
  const blockH = lines.length * lineH;
  const top =
    clip.verticalAlign === 'top'
      ? pad
      : clip.verticalAlign === 'bottom'
        ? ch - pad - blockH
        : (ch - blockH) / 2;
  const widths = lines.map((l) => ctx.measureText(l).width);
  const xFor = (wl: number) =>
    clip.align === 'left' ? pad : clip.align === 'right' ? cw - pad - wl : (cw - wl) / 2;
  ctx.textBaseline = 'middle';
  if (clip.background) {
    const maxW = Math.max(...widths);
    const bx = xFor(maxW) - pad;
    const r = (clip.background.radius * outputHeight * k) / 1080;
    ctx.fillStyle = clip.background.color;
    ctx.beginPath();
    ctx.roundRect(bx, top - pad, maxW + 2 * pad, blockH + 2 * pad, r);
    ctx.fill();
  }
  const unit = (outputHeight * k) / 1080;
  lines.forEach((line, i) => {
    const x = xFor(widths[i] ?? 0);
    const y = top + lineH * (i + 0.5);
    if (clip.shadow) {
      ctx.shadowColor = clip.shadow.color;
      ctx.shadowBlur = clip.shadow.blur * unit;
      ctx.shadowOffsetX = clip.shadow.offsetX * unit;
      ctx.shadowOffsetY = clip.shadow.offsetY * unit;
    }
    if (clip.outline) {
      ctx.lineJoin = 'round';
      ctx.lineWidth = clip.outline.width * 2 * unit;
      ctx.strokeStyle = clip.outline.color;
      ctx.strokeText(line, x, y);
      ctx.shadowColor = 'transparent';
    }
    ctx.fillStyle = clip.color;
    ctx.fillText(line, x, y);
    ctx.shadowColor = 'transparent';
  });
  const data = ctx.getImageData(0, 0, cw, ch).data;
  const bounds = alphaBounds(data, cw, ch);
  const image = yuvaFromRgba(data, cw, ch);
  // Content bounds in intrinsic (box) pixels, one pixel of margin for the bilinear footprint.
  const content = bounds
    ? ([(bounds[0] - 1) / k, (bounds[1] - 1) / k, (bounds[2] + 1) / k, (bounds[3] + 1) / k] as const)
    : ([0, 0, 0, 0] as const);
  return { image, content };
}

/** Draws a linear or radial gradient once at the given size. */
export function renderGradientPicture(clip: GradientClip, w: number, h: number): Picture {
  const canvas = createCanvas(w, h);
  const ctx = canvas.getContext('2d');
  const g = clip.gradient;
  let grad: ReturnType<SKRSContext2D['createLinearGradient']>;
  if (g.kind === 'radial') {
    grad = ctx.createRadialGradient(w / 2, h / 2, 0, w / 2, h / 2, Math.hypot(w, h) / 2);
  } else {
    // 0° runs top to bottom, 90° left to right.
    const a = (g.angle * Math.PI) / 180;
    const dx = Math.sin(a);
    const dy = Math.cos(a);
    const half = (Math.abs(dx) * w + Math.abs(dy) * h) / 2;
    grad = ctx.createLinearGradient(
      w / 2 - dx * half,
      h / 2 - dy * half,
      w / 2 + dx * half,
      h / 2 + dy * half,
    );
  }
  for (const s of g.stops) grad.addColorStop(s.offset, s.color);
  ctx.fillStyle = grad;
  ctx.fillRect(0, 0, w, h);
  return { image: yuvaFromRgba(ctx.getImageData(0, 0, w, h).data, w, h) };
}
