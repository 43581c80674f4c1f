import { describe, expect, it } from 'vitest';
import { contentProblem, normaliseMime, sniffContent } from './sniff.js';

const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
const ftyp = (brand: string) => bytes([0, 0, 0, 24], 'ftyp', brand, [0, 0, 2, 0], brand, 'iso2');

describe('sniffContent', () => {
  it.each([
    ['PNG', bytes([0x89], 'PNG\r\n\x1a\n'), 'image/png'],
    ['JPEG', bytes([0xff, 0xd8, 0xff, 0xe0]), 'image/jpeg'],
    ['GIF', bytes('GIF89a'), 'image/gif'],
    ['WebP', bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8 '), 'image/webp'],
    ['TIFF', bytes('II', [0x2a, 0]), 'image/tiff'],
    ['AVIF', ftyp('avif'), 'image/avif'],
    ['HEIC', ftyp('heic'), 'image/heic'],
    ['MP4', ftyp('isom'), 'video/mp4'],
    ['MOV', ftyp('qt  '), 'video/quicktime'],
    ['M4A', ftyp('M4A '), 'audio/mp4'],
    [
      'WebM',
      bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84], 'webm'),
      'video/webm',
    ],
    ['MKV', bytes([0x1a, 0x45, 0xdf, 0xa3, 0x42, 0x82, 0x88], 'matroska'), 'video/x-matroska'],
    ['AVI', bytes('RIFF', [0, 0, 0, 0], 'AVI LIST'), 'video/x-msvideo'],
    ['MP3 with ID3', bytes('ID3', [4, 0]), 'audio/mpeg'],
    ['MP3 frame', bytes([0xff, 0xfb, 0x90, 0x64]), 'audio/mpeg'],
    ['WAV', bytes('RIFF', [0, 0, 0, 0], 'WAVEfmt '), 'audio/wav'],
    ['FLAC', bytes('fLaC'), 'audio/flac'],
    ['Ogg', bytes('OggS', [0]), 'audio/ogg'],
    ['PDF', bytes('%PDF-1.7'), 'application/pdf'],
    ['ZIP', bytes('PK', [3, 4]), 'application/zip'],
    ['ELF', bytes([0x7f], 'ELF'), 'application/x-elf'],
    ['Windows executable', bytes('MZ', [0x90, 0]), 'application/vnd.microsoft.portable-executable'],
  ])('recognises %s', (_name, head, mime) => {
    expect(sniffContent(head)?.mime).toBe(mime);
  });

  it('returns null for text and random bytes', () => {
    expect(sniffContent(bytes('<html><body>hello</body></html>'))).toBeNull();
    expect(sniffContent(bytes([1, 2, 3, 4, 5, 6, 7, 8]))).toBeNull();
    expect(sniffContent(Buffer.alloc(0))).toBeNull();
  });
});

describe('contentProblem', () => {
  const zip = bytes('PK', [3, 4, 0, 0]);
  it('names the declared type and what the content really is', () => {
    expect(contentProblem(sniffContent(zip), 'video/mp4', zip)).toBe(
      'declared video/mp4 but the content is a ZIP archive; only images, video, audio and PDF documents are accepted',
    );
    const png = bytes([0x89], 'PNG\r\n\x1a\n');
    expect(contentProblem(sniffContent(png), 'video/mp4', png)).toBe(
      'declared video/mp4 but the content is a PNG image',
    );
  });

  it('refuses archives and executables whatever was declared, and unknown content with its first bytes', () => {
    expect(contentProblem(sniffContent(zip), undefined, zip)).toMatch(/^the content is a ZIP archive/);
    const text = bytes('hello world');
    expect(contentProblem(null, 'image/png', text)).toBe(
      'declared image/png but the content is not a recognised image, video, audio or PDF file (it starts with 68 65 6c 6c 6f 20 77 6f)',
    );
  });

  it('accepts a matching, vaguer or missing declaration', () => {
    const mp4 = ftyp('isom');
    expect(contentProblem(sniffContent(mp4), 'video/quicktime', mp4)).toBeNull();
    expect(contentProblem(sniffContent(mp4), 'audio/mp4', mp4)).toBeNull();
    expect(contentProblem(sniffContent(mp4), 'application/octet-stream', mp4)).toBeNull();
    expect(contentProblem(sniffContent(mp4), undefined, mp4)).toBeNull();
    const pdf = bytes('%PDF-1.4');
    expect(contentProblem(sniffContent(pdf), 'application/pdf', pdf)).toBeNull();
    expect(contentProblem(sniffContent(pdf), 'image/png', pdf)).toBe(
      'declared image/png but the content is a PDF document',
    );
  });

  it('normalises declared types', () => {
    expect(normaliseMime(' Image/PNG; charset=binary')).toBe('image/png');
    expect(normaliseMime('../../etc/passwd')).toBeNull();
  });
});
