/**
 * Image dimensions read from the header bytes alone, so that a decompression bomb (a small file that
 * declares an enormous picture) is refused before its body arrives, let alone is decoded. Pure.
 */

export interface Dimensions {
  width: number;
  height: number;
}

/** Dimensions, `'more'` when the header has not fully arrived, or null for formats not read here. */
export type HeaderResult = Dimensions | 'more' | null;

const u16be = (b: Uint8Array, at: number) => (b[at]! << 8) | b[at + 1]!;
const u16le = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const u24le = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);
const u32be = (b: Uint8Array, at: number) =>
  ((b[at]! << 24) >>> 0) + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!);

function png(b: Uint8Array): HeaderResult {
  if (b.length < 24) return 'more';
  return { width: u32be(b, 16), height: u32be(b, 20) };
}

function gif(b: Uint8Array): HeaderResult {
  if (b.length < 10) return 'more';
  return { width: u16le(b, 6), height: u16le(b, 8) };
}

function webp(b: Uint8Array): HeaderResult {
  if (b.length < 30) return 'more';
  const chunk = Buffer.from(b.subarray(12, 16)).toString('latin1');
  if (chunk === 'VP8 ') return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  if (chunk === 'VP8L') {
    const bits = b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') return { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  return null;
}

/** Walks JPEG markers to the first frame header (SOFn); EXIF and ICC segments before it are skipped. */
function jpeg(b: Uint8Array): HeaderResult {
  let at = 2;
  while (true) {
    while (at < b.length && b[at] === 0xff && b[at + 1] === 0xff) at++; // fill bytes
    if (at + 4 > b.length) return 'more';
    if (b[at] !== 0xff) return null;
    const marker = b[at + 1]!;
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2;
      continue;
    }
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (at + 9 > b.length) return 'more';
      return { width: u16be(b, at + 7), height: u16be(b, at + 5) };
    }
    if (marker === 0xd9 || marker === 0xda) return null; // image data before any frame header
    at += 2 + u16be(b, at + 2);
  }
}

/** Reads the dimensions an image header declares, for the formats whose headers are simple to read. */
export function imageDimensions(mime: string, head: Uint8Array): HeaderResult {
  switch (mime) {
    case 'image/png':
      return png(head);
    case 'image/gif':
      return gif(head);
    case 'image/webp':
      return webp(head);
    case 'image/jpeg':
      return jpeg(head);
    default:
      return null;
  }
}

/**
 * Whether an MP4/MOV has its index (`moov`) before its media data, walking top-level boxes in the
 * head: true (an early poster frame is possible), false (`mdat` comes first), or null (not known yet).
 */
export function isoIndexFirst(head: Uint8Array): boolean | null {
  let at = 0;
  while (at + 8 <= head.length) {
    let size = u32be(head, at);
    const type = Buffer.from(head.subarray(at + 4, at + 8)).toString('latin1');
    if (type === 'moov') return true;
    if (type === 'mdat') return false;
    if (size === 1) {
      if (at + 16 > head.length) return null;
      size = u32be(head, at + 8) * 2 ** 32 + u32be(head, at + 12);
    }
    if (size < 8) return false;
    at += size;
  }
  return null;
}
