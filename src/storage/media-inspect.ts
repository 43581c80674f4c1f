import { open } from 'node:fs/promises';
import sharp from 'sharp';
import { ReelforgeError } from '../errors.js';
import { type Ffmpeg, type MediaInfo, probe } from '../media/index.js';

/**
 * `document` is a PDF: never media for a timeline (no clip accepts it), only turned into page images,
 * each an image asset of its own, by its processing job.
 */
export const assetKinds = ['image', 'video', 'audio', 'document'] as const;
export type AssetKind = (typeof assetKinds)[number];

/** What the library records about a media file. */
export interface AssetMetadata {
  /** ffprobe's format name, or sharp's for images (`png`, `jpeg`, `mov,mp4,m4a,3gp,3g2,mj2` …). */
  format: string;
  width: number | null;
  height: number | null;
  durationSec: number | null;
  hasAlpha: boolean;
  video: { codec: string; fps: number | null; rotation: number } | null;
  audio: { codec: string; sampleRate: number; channels: number } | null;
}

export interface Inspection {
  kind: AssetKind;
  mime: string;
  metadata: AssetMetadata;
}

const imageMimes: Record<string, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
  heif: 'image/heif',
  tiff: 'image/tiff',
};

/** Formats that can name other files (SVG, PDF): refused, as a crafted one could read them at render time. */
const REFERENCING_FORMATS = /(^|[,_])(svg|pdf)(_pipe)?($|,)/;

/** A MIME type for ffprobe's format name (first match wins; a container with only sound is audio/…). */
export function mimeForFormat(formatName: string, kind: AssetKind): string {
  const names = formatName.split(',');
  const has = (n: string) => names.includes(n);
  if (kind === 'audio') {
    if (has('wav')) return 'audio/wav';
    if (has('mp3')) return 'audio/mpeg';
    if (has('flac')) return 'audio/flac';
    if (has('ogg')) return 'audio/ogg';
    if (has('mp4') || has('m4a') || has('mov')) return 'audio/mp4';
    if (has('matroska') || has('webm')) return 'audio/webm';
    if (has('aac')) return 'audio/aac';
    return 'application/octet-stream';
  }
  if (kind === 'video') {
    if (has('gif')) return 'image/gif';
    if (has('mp4') || has('mov')) return names[0] === 'mov' && !has('mp4') ? 'video/quicktime' : 'video/mp4';
    if (has('matroska') || has('webm')) return has('webm') ? 'video/webm' : 'video/x-matroska';
    if (has('avi')) return 'video/x-msvideo';
    if (has('mpegts')) return 'video/mp2t';
    return 'application/octet-stream';
  }
  const pipe = /^(\w+?)_pipe$/.exec(names[0] ?? '');
  return imageMimes[pipe?.[1] ?? ''] ?? 'application/octet-stream';
}

function fromProbe(info: MediaInfo): Inspection {
  const v = info.video;
  const kind: AssetKind = v ? (v.isStillImage ? 'image' : 'video') : 'audio';
  return {
    kind,
    mime: mimeForFormat(info.formatName, kind),
    metadata: {
      format: info.formatName,
      width: v?.displayWidth ?? null,
      height: v?.displayHeight ?? null,
      durationSec: kind === 'image' ? null : info.durationSec,
      hasAlpha: v?.hasAlpha ?? false,
      video: v && kind === 'video' ? { codec: v.codec, fps: v.fps, rotation: v.rotation } : null,
      audio: info.audio
        ? { codec: info.audio.codec, sampleRate: info.audio.sampleRate, channels: info.audio.channels }
        : null,
    },
  };
}

/** sharp's view of a still image, or null when sharp cannot read it (then ffprobe decides). */
async function sharpImage(path: string): Promise<Inspection | null> {
  try {
    const m = await sharp(path, { failOn: 'error' }).metadata();
    if (!m.format || !(m.format in imageMimes) || !m.width || !m.height || (m.pages ?? 1) > 1) return null;
    const sideways = (m.orientation ?? 1) >= 5;
    return {
      kind: 'image',
      mime: imageMimes[m.format] ?? 'application/octet-stream',
      metadata: {
        format: m.format,
        width: sideways ? m.height : m.width,
        height: sideways ? m.width : m.height,
        durationSec: null,
        hasAlpha: m.hasAlpha === true,
        video: null,
        audio: null,
      },
    };
  } catch {
    return null;
  }
}

/** A PDF, told by its first bytes (`%PDF-`); sharp and ffprobe cannot read one. */
async function pdfDocument(path: string): Promise<Inspection | null> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(5);
    const { bytesRead } = await file.read(head, 0, 5, 0);
    if (bytesRead < 5 || head.toString('latin1') !== '%PDF-') return null;
  } finally {
    await file.close();
  }
  return {
    kind: 'document',
    mime: 'application/pdf',
    metadata: {
      format: 'pdf',
      width: null,
      height: null,
      durationSec: null,
      hasAlpha: false,
      video: null,
      audio: null,
    },
  };
}

/**
 * Tells what a stored file is: PDFs by their first bytes (kept as documents), still images by sharp (size after EXIF orientation), everything else by
 * ffprobe (which also refuses playlists and concat lists). MEDIA_UNREADABLE when neither can read it.
 */
export async function inspectMedia(ff: Ffmpeg, path: string, name: string): Promise<Inspection> {
  const pdf = await pdfDocument(path);
  if (pdf) return pdf;
  const image = await sharpImage(path);
  if (image) return image;
  let info: MediaInfo;
  try {
    info = await probe(ff, path);
  } catch (e) {
    if (
      e instanceof ReelforgeError &&
      (e.code === 'MEDIA_UNREADABLE' || e.code === 'MEDIA_PROTOCOL_REFUSED')
    ) {
      // Name the upload, not the blob file it was stored as.
      throw new ReelforgeError(
        e.code,
        `${name}: not an image, video or audio file that can be used (${reason(e)})`,
        {
          status: 422,
          retryable: false,
          cause: e,
        },
      );
    }
    throw e;
  }
  if (REFERENCING_FORMATS.test(info.formatName)) {
    throw new ReelforgeError(
      'MEDIA_UNREADABLE',
      `${name}: ${info.formatName.replace(/_pipe$/, '').toUpperCase()} files are not accepted (they can name other files); upload a PNG or JPEG`,
      { status: 422, retryable: false },
    );
  }
  return fromProbe(info);
}

function reason(e: ReelforgeError): string {
  if (e.code === 'MEDIA_PROTOCOL_REFUSED') return 'it is a playlist or a list of other files';
  const details = e.meta.details as { reason?: unknown } | undefined;
  return typeof details?.reason === 'string' ? details.reason : 'unrecognised content';
}
