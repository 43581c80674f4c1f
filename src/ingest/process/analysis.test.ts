import { describe, expect, it } from 'vitest';
import { parseEbur128Metadata } from './loudness.js';
import { describeColour, toneMapFilter } from './video-colour.js';
import { PeakAccumulator, samplesPerBucketFor } from './waveform.js';

const floats = (values: number[]) => {
  const b = Buffer.alloc(values.length * 4);
  for (const [i, v] of values.entries()) b.writeFloatLE(v, i * 4);
  return b;
};

describe('waveform peaks', () => {
  it('about a thousand buckets whatever the length', () => {
    expect(samplesPerBucketFor(1, 8000)).toBe(8);
    expect(samplesPerBucketFor(3600, 8000)).toBe(28_800);
    expect(samplesPerBucketFor(null, 8000)).toBe(80);
  });

  it('keeps min and max per bucket across chunk boundaries that split a sample', () => {
    const acc = new PeakAccumulator(8000, 3);
    const bytes = floats([0.1, -0.5, 0.3, 0.9, 0.2, -0.1, 0.05]);
    acc.push(bytes.subarray(0, 5));
    acc.push(bytes.subarray(5, 17));
    acc.push(bytes.subarray(17));
    const peaks = acc.finish();
    expect(peaks.length).toBe(3);
    expect(peaks.data).toEqual([-0.5, 0.3, -0.1, 0.9, 0.05, 0.05]);
    expect(acc.samples).toBe(7);
  });

  it('clamps out-of-range and non-finite samples', () => {
    const acc = new PeakAccumulator(8000, 4);
    acc.push(floats([2, -3, Number.NaN, 0]));
    expect(acc.finish().data).toEqual([-1, 1]);
  });
});

describe('EBU R128 metadata', () => {
  const frame = (i: number, lra: number, tp: number) =>
    `frame:1 pts:0 pts_time:0\nlavfi.r128.M=-20\nlavfi.r128.I=${i}\nlavfi.r128.LRA=${lra}\nlavfi.r128.true_peaks_ch0=${tp}\nlavfi.r128.true_peak=${tp}\n`;

  it('takes the last integrated value and range, and the highest true peak in dBTP', () => {
    const text = frame(-22.5, 0, 0.05) + frame(-20.04, 1.5, 0.1) + frame(-20.01, 2, 0.08);
    expect(parseEbur128Metadata(text)).toEqual({ integratedLufs: -20.01, rangeLu: 2, truePeakDbtp: -20 });
  });

  it('silence has no loudness and no peak', () => {
    expect(parseEbur128Metadata(frame(-70, 0, 0))).toEqual({
      integratedLufs: null,
      rangeLu: 0,
      truePeakDbtp: null,
    });
    expect(parseEbur128Metadata('')).toEqual({ integratedLufs: null, rangeLu: null, truePeakDbtp: null });
  });
});

describe('HDR detection', () => {
  it('PQ and HLG transfers and BT.2020 primaries are HDR; BT.709 is not', () => {
    expect(describeColour({ color_transfer: 'smpte2084', color_primaries: 'bt2020' })).toMatchObject({
      hdr: true,
      transfer: 'pq',
      wideGamut: true,
    });
    expect(describeColour({ color_transfer: 'arib-std-b67' })).toMatchObject({ hdr: true, transfer: 'hlg' });
    expect(describeColour({ color_space: 'bt2020nc' })).toMatchObject({ hdr: true, transfer: null });
    expect(describeColour({ color_transfer: 'bt709', color_primaries: 'bt709' }).hdr).toBe(false);
    expect(describeColour({}).hdr).toBe(false);
  });
});

describe('tone mapping', () => {
  it('maps PQ and HLG to BT.709, assuming BT.2020 where tags are missing; SDR needs none', () => {
    expect(toneMapFilter({ color_transfer: 'smpte2084' })).toMatch(
      /^zscale=tin=smpte2084:pin=bt2020:min=bt2020nc:t=linear:npl=100,.*tonemap=tonemap=hable.*,format=yuv420p$/,
    );
    expect(
      toneMapFilter({ color_transfer: 'arib-std-b67', color_primaries: 'bt2020', color_space: 'bt2020c' }),
    ).toMatch(/^zscale=tin=arib-std-b67:pin=bt2020:min=bt2020c:/);
    expect(toneMapFilter({ color_transfer: 'bt709' })).toBeNull();
    expect(toneMapFilter({ color_primaries: 'bt2020' })).toBeNull();
  });
});
