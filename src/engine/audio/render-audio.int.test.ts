import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestAudio, makeTestVideo } from '../../../test/helpers/media-fixtures.js';
import { makeTempDir } from '../../../test/helpers/paths.js';
import { isReelforgeError } from '../../errors.js';
import { type Ffmpeg, findFfmpeg, probe, runFfmpeg } from '../../media/index.js';
import { type TimelineInput, timelineSchema } from '../../timeline/schema.js';
import { type AudioPlan, type AudioRange, type AudioSourceInfo, planAudio } from './audio-plan.js';
import { onsetSec, type Pcm, pcmDuration, readWavPcm16, rmsDb, toneAmplitude } from './pcm-levels.js';
import { renderAudioMix, toAudioSourceInfo } from './render-audio.js';

let ff: Ffmpeg;
let dir: string;
let tone: string; // 1 s, 440 Hz, 48 kHz mono, amplitude 1/8
let voice: string; // 1 s, 1000 Hz
let silentVideo: string;
let twoTone: string; // 2 s video: 440 Hz for a second, then 660 Hz
let lateAudio: string; // 1 s video whose sound starts 0.25 s after its picture

beforeAll(async () => {
  ff = await findFfmpeg();
  dir = makeTempDir('audio-mix');
  [tone, voice, silentVideo] = await Promise.all([
    makeTestAudio(dir, { seconds: 1, freq: 440 }),
    makeTestAudio(dir, { seconds: 1, freq: 1000 }),
    makeTestVideo(dir, { seconds: 1 }),
  ]);
  twoTone = join(dir, 'two-tone.mp4');
  await runFfmpeg(ff, [
    ...['-f', 'lavfi', '-i', 'testsrc2=s=64x36:r=30:d=2'],
    ...['-f', 'lavfi', '-i', 'sine=f=440:sample_rate=48000:d=1'],
    ...['-f', 'lavfi', '-i', 'sine=f=660:sample_rate=48000:d=1'],
    ...['-filter_complex', '[1:a][2:a]concat=n=2:v=0:a=1[a]', '-map', '0:v', '-map', '[a]'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-b:a', '96k', '-y', twoTone],
  ]);
  lateAudio = join(dir, 'late-audio.mov');
  await runFfmpeg(ff, [
    ...['-f', 'lavfi', '-i', 'testsrc2=s=64x36:r=30:d=1', '-itsoffset', '0.25'],
    ...['-f', 'lavfi', '-i', 'sine=f=440:sample_rate=48000:d=0.75', '-map', '0:v', '-map', '1:a'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'pcm_s16le', '-y', lateAudio],
  ]);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function planFor(
  tracks: TimelineInput['tracks'],
  duration?: number,
  range?: AudioRange,
): Promise<AudioPlan> {
  const timeline = timelineSchema.parse({ output: { width: 64, height: 36, duration }, tracks });
  const paths = new Set(timeline.tracks.flatMap((t) => t.clips.flatMap((c) => ('src' in c ? [c.src] : []))));
  const infos = new Map<string, AudioSourceInfo>();
  for (const p of paths) infos.set(p, toAudioSourceInfo(await probe(ff, p)));
  return planAudio(timeline, { resolvePath: (s) => s, mediaInfo: (p) => infos.get(p)! }, range);
}

async function render(plan: AudioPlan): Promise<Pcm> {
  const outPath = join(dir, `mix-${randomBytes(4).toString('hex')}.wav`);
  const result = await renderAudioMix(ff, plan, { outPath });
  expect(result.path).toBe(outPath);
  return readWavPcm16(await readFile(outPath));
}

const mixOf = async (tracks: TimelineInput['tracks'], duration?: number, range?: AudioRange) =>
  render(await planFor(tracks, duration, range));

describe('renderAudioMix', () => {
  it('halves the amplitude at volume 0.5 (about −6 dB)', async () => {
    const full = await mixOf([{ clips: [{ type: 'audio', src: tone, start: 0 }] }]);
    const half = await mixOf([{ clips: [{ type: 'audio', src: tone, start: 0, volume: 0.5 }] }]);
    const drop = rmsDb(half, 0.1, 0.9) - rmsDb(full, 0.1, 0.9);
    expect(drop).toBeGreaterThan(-6.2);
    expect(drop).toBeLessThan(-5.8);
    expect(full.sampleRate).toBe(48_000);
    expect(full.channels).toHaveLength(2);
  });

  it('fades in: the first 100 ms are much quieter than the middle', async () => {
    const pcm = await mixOf([{ clips: [{ type: 'audio', src: tone, start: 0, fadeIn: 0.5 }] }]);
    expect(rmsDb(pcm, 0, 0.1) - rmsDb(pcm, 0.5, 0.9)).toBeLessThan(-12);
  });

  it('places a segment at 1.0 s to within a frame: silent before, sounding after', async () => {
    const pcm = await mixOf([{ clips: [{ type: 'audio', src: tone, start: 1 }] }]);
    const onset = onsetSec(pcm, 0.001);
    expect(onset).not.toBeNull();
    expect(Math.abs((onset as number) - 1)).toBeLessThan(1 / 60);
    expect(rmsDb(pcm, 0, 0.999)).toBe(Number.NEGATIVE_INFINITY);
    expect(rmsDb(pcm, 1 + 1 / 30, 1.9)).toBeGreaterThan(-30);
  });

  it('mixes a short first clip with a later one on another track, each in its place', async () => {
    const pcm = await mixOf([
      { clips: [{ type: 'audio', src: tone, start: 0, duration: 0.25 }] },
      { clips: [{ type: 'audio', src: voice, start: 1 }] },
    ]);
    expect(pcmDuration(pcm)).toBe(2);
    expect(toneAmplitude(pcm, 440, 0, 0.25)).toBeGreaterThan(0.05);
    expect(rmsDb(pcm, 0.26, 0.999)).toBe(Number.NEGATIVE_INFINITY);
    expect(toneAmplitude(pcm, 1000, 1 + 1 / 30, 1.9)).toBeGreaterThan(0.05);
  });

  it('trims the start, and a trimmed clip defaults to the rest of its source', async () => {
    const pcm = await mixOf([{ clips: [{ type: 'audio', src: tone, start: 0, trimStart: 0.75 }] }], 1);
    expect(pcmDuration(pcm)).toBe(1);
    expect(rmsDb(pcm, 0, 0.24)).toBeGreaterThan(-30);
    expect(rmsDb(pcm, 0.26, 1)).toBe(Number.NEGATIVE_INFINITY);
  });

  it.each(['wav', 'm4a'] as const)(
    'loops a %s source seamlessly for the requested duration',
    async (format) => {
      const src = format === 'wav' ? tone : await makeTestAudio(dir, { seconds: 1, freq: 440, format });
      const pcm = await mixOf([{ clips: [{ type: 'audio', src, start: 0, loop: true, duration: 2.5 }] }], 3);
      const steady = toneAmplitude(pcm, 440, 0.4, 0.6);
      for (const at of [0.9, 1.9]) {
        expect(Math.abs(toneAmplitude(pcm, 440, at, at + 0.2) / steady - 1)).toBeLessThan(0.02);
        // No gap at the join: every 2 ms around it is as loud as the steady tone.
        for (let t = at; t < at + 0.2; t += 0.002)
          expect(rmsDb(pcm, t, t + 0.002)).toBeGreaterThan(rmsDb(pcm, 0.4, 0.6) - 1);
      }
      expect(rmsDb(pcm, 2.4, 2.5)).toBeGreaterThan(-30);
      expect(rmsDb(pcm, 2.51, 3)).toBe(Number.NEGATIVE_INFINITY);
    },
  );

  it('ducks the music to about the level while the narration plays, and restores it after', async () => {
    const pcm = await mixOf(
      [
        {
          id: 'music',
          clips: [
            {
              type: 'audio',
              src: tone,
              start: 0,
              loop: true,
              duck: { track: 'voice', level: 0.3, attack: 0.05, release: 0.1 },
            },
          ],
        },
        { id: 'voice', clips: [{ type: 'audio', src: voice, start: 1 }] },
      ],
      3,
    );
    const before = toneAmplitude(pcm, 440, 0.3, 0.9);
    const during = toneAmplitude(pcm, 440, 1.3, 1.9) / before;
    const after = toneAmplitude(pcm, 440, 2.5, 2.9) / before;
    expect(during).toBeGreaterThan(0.25);
    expect(during).toBeLessThan(0.36);
    expect(after).toBeGreaterThan(0.95);
    expect(toneAmplitude(pcm, 1000, 1.3, 1.9)).toBeGreaterThan(0.5 * toneAmplitude(pcm, 440, 2.5, 2.9));
  });

  it('plays a video clip at speed 2 twice as fast, at the same pitch', async () => {
    const plan = await planFor([{ clips: [{ type: 'video', src: twoTone, start: 0, speed: 2 }] }]);
    expect(plan.duration).toBeCloseTo(1, 2);
    const pcm = await render(plan);
    expect(toneAmplitude(pcm, 440, 0.05, 0.45)).toBeGreaterThan(4 * toneAmplitude(pcm, 660, 0.05, 0.45));
    expect(toneAmplitude(pcm, 660, 0.55, 0.95)).toBeGreaterThan(4 * toneAmplitude(pcm, 440, 0.55, 0.95));
    expect(toneAmplitude(pcm, 880, 0.05, 0.45)).toBeLessThan(0.1 * toneAmplitude(pcm, 440, 0.05, 0.45));
  });

  it("keeps a video's own audio offset, also after trimStart", async () => {
    for (const [trimStart, expected] of [
      [0, 0.25],
      [0.1, 0.15],
    ]) {
      const pcm = await mixOf([{ clips: [{ type: 'video', src: lateAudio, start: 0.5, trimStart }] }], 2);
      expect(Math.abs((onsetSec(pcm, 0.001) ?? 0) - 0.5 - (expected as number))).toBeLessThan(1 / 60);
    }
  });

  it('writes exactly the plan duration', async () => {
    const plan = await planFor([{ clips: [{ type: 'audio', src: tone, start: 0.1 }] }], 1.23456);
    const pcm = await render(plan);
    expect(Math.abs(pcmDuration(pcm) - plan.duration)).toBeLessThan(0.001);
  });

  it('skips sources without sound and still writes silence of the right length', async () => {
    const plan = await planFor([{ clips: [{ type: 'video', src: silentVideo, start: 0 }] }]);
    expect(plan.segments).toEqual([]);
    const pcm = await render(plan);
    expect(pcmDuration(pcm)).toBe(1);
    expect(rmsDb(pcm, 0, 1)).toBe(Number.NEGATIVE_INFINITY);
  });

  it('renders ranges that join into the whole, fades included', async () => {
    const tracks: TimelineInput['tracks'] = [
      { clips: [{ type: 'audio', src: tone, start: 0.25, fadeIn: 0.5, fadeOut: 0.5, volume: 0.8 }] },
    ];
    const whole = await mixOf(tracks, 1.5);
    const parts = [];
    for (const [from, to] of [
      [0, 0.5],
      [0.5, 1],
      [1, 1.5],
    ] as const)
      parts.push(await mixOf(tracks, 1.5, { from, to }));
    const joined = Float32Array.from(parts.flatMap((p) => Array.from(p.channels[0] as Float32Array)));
    const ref = whole.channels[0] as Float32Array;
    expect(joined.length).toBe(ref.length);
    let worst = 0;
    for (let i = 0; i < ref.length; i++)
      worst = Math.max(worst, Math.abs((joined[i] as number) - (ref[i] as number)));
    expect(worst).toBeLessThan(2 / 32768);
  });
});

describe('renderAudioMix cancellation', () => {
  it('stops ffmpeg and leaves no file when the signal aborts', async () => {
    const sub = makeTempDir('audio-cancel');
    const plan = await planFor(
      [
        {
          clips: [
            { type: 'audio', src: tone, start: 0, loop: true, duck: { track: 'v', level: 0.3 } },
            { type: 'audio', src: tone, start: 0, loop: true, fadeIn: 500 },
          ],
        },
        { id: 'v', clips: [{ type: 'audio', src: voice, start: 0, loop: true }] },
      ],
      3600,
    );
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 300);
    const outPath = join(sub, 'mix.wav');
    const error = await renderAudioMix(ff, plan, { outPath, signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    clearTimeout(timer);
    expect(isReelforgeError(error, 'RENDER_CANCELLED')).toBe(true);
    expect(await readdir(sub)).toEqual([]);
    expect(await processesMentioning(sub)).toEqual([]);
    await rm(sub, { recursive: true, force: true });
  });
});

/** Pids of live processes whose command line contains `text`. */
async function processesMentioning(text: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(text)) pids.push(Number(entry));
  }
  return pids;
}
