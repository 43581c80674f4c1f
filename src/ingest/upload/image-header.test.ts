import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { imageDimensions, isoIndexFirst } from './image-header.js';

const image = (format: 'png' | 'jpeg' | 'webp' | 'gif', width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: '#336699' } })
    .toFormat(format)
    .toBuffer();

describe('imageDimensions', () => {
  it.each(['png', 'jpeg', 'webp', 'gif'] as const)(
    'reads %s dimensions from real headers',
    async (format) => {
      const b = await image(format, 123, 45);
      expect(imageDimensions(`image/${format}`, b)).toEqual({ width: 123, height: 45 });
    },
  );

  it('finds the JPEG frame header after a large EXIF segment, and asks for more bytes before it', async () => {
    const b = await sharp({ create: { width: 40, height: 30, channels: 3, background: 'red' } })
      .withExif({ IFD0: { ImageDescription: 'x'.repeat(30_000) } })
      .jpeg()
      .toBuffer();
    expect(imageDimensions('image/jpeg', b.subarray(0, 1_000))).toBe('more');
    expect(imageDimensions('image/jpeg', b)).toEqual({ width: 40, height: 30 });
  });

  it('asks for more when the header is cut, and leaves other formats to sharp', async () => {
    const png = await image('png', 10, 10);
    expect(imageDimensions('image/png', png.subarray(0, 20))).toBe('more');
    expect(imageDimensions('image/tiff', png)).toBeNull();
  });
});

describe('isoIndexFirst', () => {
  const box = (type: string, size: number) => {
    const b = Buffer.alloc(8);
    b.writeUInt32BE(size, 0);
    b.write(type, 4, 'latin1');
    return b;
  };
  it('tells moov-first from mdat-first, and waits when the next box header has not arrived', () => {
    const ftyp = Buffer.concat([box('ftyp', 16), Buffer.alloc(8)]);
    expect(isoIndexFirst(Buffer.concat([ftyp, box('moov', 100)]))).toBe(true);
    expect(isoIndexFirst(Buffer.concat([ftyp, box('free', 8), box('mdat', 1_000_000)]))).toBe(false);
    expect(isoIndexFirst(ftyp)).toBeNull();
  });
});
