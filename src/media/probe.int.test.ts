import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTestAudio, makeTestImage, makeTestVideo } from '../../test/helpers/media-fixtures.js';
import { makeTempDir, tmpDir } from '../../test/helpers/paths.js';
import { isReelforgeError, type ReelforgeError } from '../errors.js';
import { type Ffmpeg, findFfmpeg } from './find-ffmpeg.js';
import { probe } from './probe.js';

async function rejection(p: Promise<unknown>): Promise<ReelforgeError> {
  try {
    await p;
  } catch (e) {
    if (isReelforgeError(e)) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

const fixtures = join(tmpDir, 'media-fixtures');

describe('probe (real ffprobe)', () => {
  let ff: Ffmpeg;
  let dir: string;
  beforeAll(async () => {
    ff = await findFfmpeg({});
    dir = makeTempDir('probe');
  });

  it('describes an H.264 + AAC MP4', async () => {
    const path = await makeTestVideo(fixtures, { withAudio: true });
    const info = await probe(ff, path);
    expect(info).toMatchObject({ path, formatName: 'mov,mp4,m4a,3gp,3g2,mj2' });
    expect(info.durationSec).toBeCloseTo(1, 1);
    expect(info.sizeBytes).toBeGreaterThan(1000);
    expect(info.video).toEqual({
      codec: 'h264',
      width: 64,
      height: 36,
      displayWidth: 64,
      displayHeight: 36,
      rotation: 0,
      fps: 30,
      frameCount: 30,
      pixFmt: 'yuv420p',
      hasAlpha: false,
      isStillImage: false,
    });
    expect(info.audio).toMatchObject({ codec: 'aac', sampleRate: 48000, channels: 1 });
    expect(info.streams.map((s) => s.type)).toEqual(['video', 'audio']);
  });

  it('reads display rotation and swaps the display size', async () => {
    const info = await probe(ff, await makeTestVideo(fixtures, { rotate: 90 }));
    expect(info.video).toMatchObject({
      rotation: 90,
      width: 64,
      height: 36,
      displayWidth: 36,
      displayHeight: 64,
    });
    const upsideDown = await probe(ff, await makeTestVideo(fixtures, { rotate: 180 }));
    expect(upsideDown.video).toMatchObject({ rotation: 180, displayWidth: 64 });
  });

  it('describes still images', async () => {
    const png = await probe(
      ff,
      await makeTestImage(fixtures, { w: 32, h: 16, color: '0x336699@0.5', alpha: true }),
    );
    expect(png.video).toMatchObject({
      codec: 'png',
      width: 32,
      height: 16,
      isStillImage: true,
      hasAlpha: true,
    });
    expect(png.audio).toBeNull();
    const jpeg = await probe(ff, await makeTestImage(fixtures, { format: 'jpeg', pattern: 'testsrc2' }));
    expect(jpeg.video).toMatchObject({ codec: 'mjpeg', isStillImage: true, hasAlpha: false });
  });

  it('describes audio files', async () => {
    const wav = await probe(ff, await makeTestAudio(fixtures, { seconds: 1, freq: 440 }));
    expect(wav).toMatchObject({
      formatName: 'wav',
      video: null,
      audio: { codec: 'pcm_s16le', sampleRate: 48000 },
    });
    expect(wav.audio?.durationSec).toBeCloseTo(1, 1);
    const m4a = await probe(ff, await makeTestAudio(fixtures, { format: 'm4a' }));
    expect(m4a.audio?.codec).toBe('aac');
  });

  it('reports a corrupt file as MEDIA_UNREADABLE naming the file and the reason', async () => {
    const path = join(dir, 'corrupt.mp4');
    await writeFile(path, Buffer.from('\x00\x00\x00\x18ftypisomgarbage'.repeat(20)));
    const e = await rejection(probe(ff, path));
    expect(e.code).toBe('MEDIA_UNREADABLE');
    expect(e.status).toBe(422);
    expect(e.retryable).toBe(false);
    expect(e.message).toContain(path);
    expect(e.message).toMatch(/moov atom not found|Invalid data/);
  });

  it('reports a missing file and a text file as MEDIA_UNREADABLE', async () => {
    const missing = await rejection(probe(ff, join(dir, 'nope.mp4')));
    expect(missing.code).toBe('MEDIA_UNREADABLE');
    expect(missing.message).toContain('No such file or directory');
    const text = join(dir, 'notes.txt');
    await writeFile(text, 'just some words\n');
    expect((await rejection(probe(ff, text))).code).toBe('MEDIA_UNREADABLE');
  });

  it('stops when aborted', async () => {
    const e = await rejection(probe(ff, await makeTestVideo(fixtures), { signal: AbortSignal.abort() }));
    expect(e.code).toBe('FFMPEG_KILLED');
  });
});
