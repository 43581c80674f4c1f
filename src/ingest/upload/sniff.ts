/**
 * What a file is, told by its first bytes rather than by its name or declared type. Pure: the caller
 * passes the head of the upload (a few hundred bytes are enough for every format here).
 */

/** Broad families: the first four are accepted, the last two recognised only to be refused by name. */
export type ContentFamily = 'image' | 'video' | 'audio' | 'pdf' | 'archive' | 'executable';

export interface Sniffed {
  family: ContentFamily;
  /** The most likely MIME type (`video/mp4`, `image/png`, `application/zip` …). */
  mime: string;
  /** For messages: "a PNG image", "a ZIP archive". */
  label: string;
  /** Top-level MIME types a client may declare for this content (an MP4 may be video or audio). */
  declarable: readonly string[];
}

/** Bytes the sniffer wants before deciding; a shorter file is sniffed when it is complete. */
export const SNIFF_BYTES = 64;

const ascii = (b: Uint8Array, at: number, len: number) =>
  Buffer.from(b.subarray(at, at + len)).toString('latin1');
const starts = (b: Uint8Array, bytes: readonly number[], at = 0) =>
  b.length >= at + bytes.length && bytes.every((x, i) => b[at + i] === x);

const kind = (
  family: ContentFamily,
  mime: string,
  label: string,
  declarable?: readonly string[],
): Sniffed => ({
  family,
  mime,
  label,
  declarable: declarable ?? [family === 'pdf' ? 'application/pdf' : `${family}/`],
});

/** ISO base media (`ftyp`): MP4/MOV video, M4A audio, or AVIF/HEIC stills, by major and compatible brands. */
function isoBmff(b: Uint8Array): Sniffed {
  const size = Math.min(b.length, Math.max(16, (b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!));
  const brands = [ascii(b, 8, 4)];
  for (let at = 16; at + 4 <= size; at += 4) brands.push(ascii(b, at, 4));
  const major = brands[0] ?? '';
  if (['avif', 'avis'].includes(major)) return kind('image', 'image/avif', 'an AVIF image');
  if (['heic', 'heix', 'mif1', 'msf1', 'heim', 'heis', 'hevc', 'hevx'].includes(major))
    return kind('image', 'image/heic', 'a HEIF/HEIC image');
  if (major === 'qt  ')
    return kind('video', 'video/quicktime', 'a QuickTime (MOV) file', ['video/', 'audio/']);
  if (['M4A ', 'M4B ', 'M4P '].includes(major))
    return kind('audio', 'audio/mp4', 'an MPEG-4 audio (M4A) file', ['audio/', 'video/']);
  return kind('video', 'video/mp4', 'an MP4 file', ['video/', 'audio/']);
}

/** Matroska/WebM: the EBML header names its DocType within the first few dozen bytes. */
function ebml(b: Uint8Array): Sniffed {
  const head = ascii(b, 0, Math.min(b.length, 64));
  if (head.includes('webm')) return kind('video', 'video/webm', 'a WebM file', ['video/', 'audio/']);
  return kind('video', 'video/x-matroska', 'a Matroska (MKV) file', ['video/', 'audio/']);
}

function riff(b: Uint8Array): Sniffed | null {
  const form = ascii(b, 8, 4);
  if (form === 'WEBP') return kind('image', 'image/webp', 'a WebP image');
  if (form === 'WAVE') return kind('audio', 'audio/wav', 'a WAV file');
  if (form === 'AVI ') return kind('video', 'video/x-msvideo', 'an AVI file', ['video/', 'audio/']);
  return null;
}

/** MPEG audio frame sync (11 set bits) with a valid version and layer: MP3, or ADTS AAC (layer 0). */
function mpegAudio(b: Uint8Array): Sniffed | null {
  if (b.length < 2 || b[0] !== 0xff || (b[1]! & 0xe0) !== 0xe0) return null;
  const version = (b[1]! >> 3) & 0x3;
  const layer = (b[1]! >> 1) & 0x3;
  if (version === 1) return null;
  if (layer === 0) return kind('audio', 'audio/aac', 'an AAC (ADTS) file');
  return kind('audio', 'audio/mpeg', 'an MP3 file');
}

/** MPEG transport stream: a 0x47 sync byte every 188 bytes. */
function transportStream(b: Uint8Array): boolean {
  if (b[0] !== 0x47 || b.length < 189) return false;
  for (let at = 188; at < b.length; at += 188) if (b[at] !== 0x47) return false;
  return true;
}

/** What the head of a file is, or null when it is none of the recognised formats. */
export function sniffContent(b: Uint8Array): Sniffed | null {
  if (starts(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    return kind('image', 'image/png', 'a PNG image');
  if (starts(b, [0xff, 0xd8, 0xff])) return kind('image', 'image/jpeg', 'a JPEG image');
  if (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')
    return kind('image', 'image/gif', 'a GIF image', ['image/', 'video/']);
  if (starts(b, [0x49, 0x49, 0x2a, 0x00]) || starts(b, [0x4d, 0x4d, 0x00, 0x2a]))
    return kind('image', 'image/tiff', 'a TIFF image');
  if (ascii(b, 4, 4) === 'ftyp') return isoBmff(b);
  if (starts(b, [0x1a, 0x45, 0xdf, 0xa3])) return ebml(b);
  if (ascii(b, 0, 4) === 'RIFF') {
    const r = riff(b);
    if (r) return r;
  }
  if (ascii(b, 0, 3) === 'ID3') return kind('audio', 'audio/mpeg', 'an MP3 file');
  if (ascii(b, 0, 4) === 'fLaC') return kind('audio', 'audio/flac', 'a FLAC file');
  if (ascii(b, 0, 4) === 'OggS') return kind('audio', 'audio/ogg', 'an Ogg file', ['audio/', 'video/']);
  if (ascii(b, 0, 5) === '%PDF-') return kind('pdf', 'application/pdf', 'a PDF document');
  if (transportStream(b))
    return kind('video', 'video/mp2t', 'an MPEG transport stream', ['video/', 'audio/']);
  if (
    starts(b, [0x50, 0x4b, 0x03, 0x04]) ||
    starts(b, [0x50, 0x4b, 0x05, 0x06]) ||
    starts(b, [0x50, 0x4b, 0x07, 0x08])
  )
    return kind('archive', 'application/zip', 'a ZIP archive');
  if (starts(b, [0x1f, 0x8b])) return kind('archive', 'application/gzip', 'a gzip archive');
  if (starts(b, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]))
    return kind('archive', 'application/x-7z-compressed', 'a 7-Zip archive');
  if (ascii(b, 0, 4) === 'Rar!') return kind('archive', 'application/vnd.rar', 'a RAR archive');
  if (ascii(b, 0, 2) === 'MZ')
    return kind('executable', 'application/vnd.microsoft.portable-executable', 'a Windows executable');
  if (starts(b, [0x7f, 0x45, 0x4c, 0x46]))
    return kind('executable', 'application/x-elf', 'an ELF executable');
  if (
    starts(b, [0xfe, 0xed, 0xfa, 0xce]) ||
    starts(b, [0xfe, 0xed, 0xfa, 0xcf]) ||
    starts(b, [0xce, 0xfa, 0xed, 0xfe]) ||
    starts(b, [0xcf, 0xfa, 0xed, 0xfe]) ||
    starts(b, [0xca, 0xfe, 0xba, 0xbe])
  )
    return kind('executable', 'application/x-mach-binary', 'a Mach-O executable');
  if (ascii(b, 0, 2) === '#!') return kind('executable', 'text/x-shellscript', 'a script');
  return mpegAudio(b);
}

/** `image/png; charset=x` → `image/png`; anything that is not `type/subtype` → null. */
export function normaliseMime(declared: string | null | undefined): string | null {
  const m = /^\s*([a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*)\s*(;.*)?$/i.exec(declared ?? '');
  return m ? m[1]!.toLowerCase() : null;
}

/** Declared types that say nothing about the content, so only the content decides. */
const UNINFORMATIVE = new Set(['application/octet-stream', 'binary/octet-stream', 'application/unknown']);

/**
 * Why this content may not be uploaded under this declared type, or null when it may. Archives and
 * executables are refused whatever was declared; otherwise the declared top-level type has to fit.
 */
export function contentProblem(
  sniffed: Sniffed | null,
  declaredRaw: string | null | undefined,
  head: Uint8Array,
): string | null {
  const declared = normaliseMime(declaredRaw);
  const said =
    declared && !UNINFORMATIVE.has(declared) ? `declared ${declared} but the content is` : 'the content is';
  if (!sniffed) {
    const hex = Buffer.from(head.subarray(0, 8))
      .toString('hex')
      .replace(/(..)(?!$)/g, '$1 ');
    return `${said} not a recognised image, video, audio or PDF file (it starts with ${hex || 'nothing'})`;
  }
  if (sniffed.family === 'archive' || sniffed.family === 'executable') {
    return `${said} ${sniffed.label}; only images, video, audio and PDF documents are accepted`;
  }
  if (!declared || UNINFORMATIVE.has(declared)) return null;
  const fits = sniffed.declarable.some((d) => (d.endsWith('/') ? declared.startsWith(d) : declared === d));
  return fits ? null : `${said} ${sniffed.label}`;
}
