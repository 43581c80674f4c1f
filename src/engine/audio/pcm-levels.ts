import { ReelforgeError } from '../../errors.js';

/** Decoded 16-bit PCM: samples as floats in [-1, 1), one array per channel. */
export interface Pcm {
  sampleRate: number;
  channels: Float32Array[];
}

function unreadable(reason: string): ReelforgeError {
  return new ReelforgeError('MEDIA_UNREADABLE', `WAV data: ${reason}`, { status: 422, retryable: false });
}

/** Reads a canonical RIFF/WAVE file of 16-bit PCM (what renderAudioMix writes). */
export function readWavPcm16(buf: Buffer): Pcm {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw unreadable('not a RIFF/WAVE file');
  }
  let pos = 12;
  let sampleRate = 0;
  let count = 0;
  while (pos + 8 <= buf.length) {
    const id = buf.toString('ascii', pos, pos + 4);
    const size = buf.readUInt32LE(pos + 4);
    const body = pos + 8;
    if (id === 'fmt ') {
      const format = buf.readUInt16LE(body);
      const bits = buf.readUInt16LE(body + 14);
      if (format !== 1 || bits !== 16)
        throw unreadable(`expected 16-bit PCM, got format ${format}, ${bits} bits`);
      count = buf.readUInt16LE(body + 2);
      sampleRate = buf.readUInt32LE(body + 4);
    } else if (id === 'data') {
      if (count === 0) throw unreadable('data before fmt');
      const end = Math.min(buf.length, body + size);
      const frames = Math.floor((end - body) / (2 * count));
      const channels = Array.from({ length: count }, () => new Float32Array(frames));
      for (let i = 0; i < frames; i++) {
        for (let c = 0; c < count; c++) {
          (channels[c] as Float32Array)[i] = buf.readInt16LE(body + 2 * (i * count + c)) / 32768;
        }
      }
      return { sampleRate, channels };
    }
    pos = body + size + (size % 2);
  }
  throw unreadable('no data chunk');
}

/** Sample range [from, to) of a time window, clamped to the signal. */
function window(pcm: Pcm, fromSec: number, toSec: number): [number, number] {
  const n = pcm.channels[0]?.length ?? 0;
  return [Math.max(0, Math.round(fromSec * pcm.sampleRate)), Math.min(n, Math.round(toSec * pcm.sampleRate))];
}

/** RMS level of channel 0 over [fromSec, toSec), in dBFS (−Infinity for silence). */
export function rmsDb(pcm: Pcm, fromSec: number, toSec: number): number {
  const [a, b] = window(pcm, fromSec, toSec);
  const x = pcm.channels[0] ?? new Float32Array(0);
  let sum = 0;
  for (let i = a; i < b; i++) sum += (x[i] as number) ** 2;
  return b > a ? 10 * Math.log10(sum / (b - a)) : Number.NEGATIVE_INFINITY;
}

/** Amplitude of a sine of `freq` Hz in channel 0 over [fromSec, toSec) (Goertzel), ignoring other tones. */
export function toneAmplitude(pcm: Pcm, freq: number, fromSec: number, toSec: number): number {
  const [a, b] = window(pcm, fromSec, toSec);
  const x = pcm.channels[0] ?? new Float32Array(0);
  const w = (2 * Math.PI * freq) / pcm.sampleRate;
  let re = 0;
  let im = 0;
  for (let i = a; i < b; i++) {
    re += (x[i] as number) * Math.cos(w * i);
    im -= (x[i] as number) * Math.sin(w * i);
  }
  return b > a ? (2 * Math.hypot(re, im)) / (b - a) : 0;
}

/** Seconds of the first sample of channel 0 whose magnitude exceeds `threshold`, or null. */
export function onsetSec(pcm: Pcm, threshold: number): number | null {
  const x = pcm.channels[0] ?? new Float32Array(0);
  for (let i = 0; i < x.length; i++) if (Math.abs(x[i] as number) > threshold) return i / pcm.sampleRate;
  return null;
}

/** Length in seconds. */
export function pcmDuration(pcm: Pcm): number {
  return (pcm.channels[0]?.length ?? 0) / pcm.sampleRate;
}
