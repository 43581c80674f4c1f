import { describe, expect, it } from 'vitest';
import { onsetSec, pcmDuration, readWavPcm16, rmsDb, toneAmplitude } from './pcm-levels.js';

function wav(samples: number[][], sampleRate: number): Buffer {
  const channels = samples.length;
  const frames = samples[0]?.length ?? 0;
  const data = Buffer.alloc(frames * channels * 2);
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++)
      data.writeInt16LE(Math.round((samples[c]?.[i] ?? 0) * 32767), 2 * (i * channels + c));
  }
  const head = Buffer.alloc(44);
  head.write('RIFF', 0, 'ascii');
  head.writeUInt32LE(36 + data.length, 4);
  head.write('WAVEfmt ', 8, 'ascii');
  head.writeUInt32LE(16, 16);
  head.writeUInt16LE(1, 20);
  head.writeUInt16LE(channels, 22);
  head.writeUInt32LE(sampleRate, 24);
  head.writeUInt32LE(sampleRate * channels * 2, 28);
  head.writeUInt16LE(channels * 2, 32);
  head.writeUInt16LE(16, 34);
  head.write('data', 36, 'ascii');
  head.writeUInt32LE(data.length, 40);
  return Buffer.concat([head, data]);
}

describe('pcm levels', () => {
  const sr = 8000;
  const tone = Array.from({ length: sr }, (_, i) =>
    i < sr / 2 ? 0 : 0.5 * Math.sin((2 * Math.PI * 440 * i) / sr),
  );
  const other = Array.from({ length: sr }, (_, i) => 0.25 * Math.sin((2 * Math.PI * 1000 * i) / sr));
  const pcm = readWavPcm16(wav([tone.map((t, i) => t + (other[i] ?? 0)), tone], sr));

  it('reads channels, rate and length', () => {
    expect(pcm.channels).toHaveLength(2);
    expect(pcm.sampleRate).toBe(sr);
    expect(pcmDuration(pcm)).toBe(1);
  });

  it('measures a tone amid another, RMS and onset', () => {
    expect(toneAmplitude(pcm, 440, 0.5, 1)).toBeCloseTo(0.5, 2);
    expect(toneAmplitude(pcm, 1000, 0, 1)).toBeCloseTo(0.25, 2);
    expect(toneAmplitude(pcm, 440, 0, 0.5)).toBeLessThan(0.01);
    expect(rmsDb(pcm, 0, 0.5)).toBeCloseTo(20 * Math.log10(0.25 / Math.SQRT2), 1);
    expect(onsetSec({ sampleRate: sr, channels: [pcm.channels[1] as Float32Array] }, 0.01)).toBeCloseTo(
      0.5,
      2,
    );
  });

  it('refuses what is not 16-bit PCM WAV', () => {
    expect(() => readWavPcm16(Buffer.from('hello world, not a wav'))).toThrow(/RIFF/);
  });
});
