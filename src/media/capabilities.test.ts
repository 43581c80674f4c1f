import { describe, expect, it } from 'vitest';
import { parseEncoders, parseFilters } from './capabilities.js';

const ENCODERS = `Encoders:
 V..... = Video
 A..... = Audio
 S..... = Subtitle
 .F.... = Frame-level multithreading
 ------
 V....D a64multi             Multicolor charset for Commodore 64 (codec a64_multi)
 V....D libx264              libx264 H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10 (codec h264)
 A....D aac                  AAC (Advanced Audio Coding)
 S..... ass                  ASS (Advanced SubStation Alpha) subtitle
 VFS..D prores_ks            Apple ProRes (iCodec Pro) (codec prores)
`;

const FILTERS = `Filters:
  T.. = Timeline support
  .S. = Slice threading
  | = Source or sink filter
 ... abench            A->A       Benchmark part of a filtergraph.
 ... acrossfade        AA->A      Cross fade two input audio streams.
 TSC scale             V->V       Scale the input video size and/or convert the image format.
 ... nullsrc           |->V       Null video source, return unprocessed video frames.
`;

describe('parseEncoders', () => {
  it('reads names and kinds, skipping the legend', () => {
    const list = parseEncoders(ENCODERS);
    expect(list.map((e) => e.name)).toEqual(['a64multi', 'libx264', 'aac', 'ass', 'prores_ks']);
    expect(list[2]).toEqual({ name: 'aac', kind: 'audio', description: 'AAC (Advanced Audio Coding)' });
    expect(list[3]?.kind).toBe('subtitle');
  });
});

describe('parseFilters', () => {
  it('reads names and pad types, skipping the legend', () => {
    const list = parseFilters(FILTERS);
    expect(list.map((f) => f.name)).toEqual(['abench', 'acrossfade', 'scale', 'nullsrc']);
    expect(list[3]).toMatchObject({ io: '|->V' });
  });
});
