import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTestVideo } from '../../test/helpers/media-fixtures.js';
import { makeTempDir, tmpDir } from '../../test/helpers/paths.js';
import { isReelforgeError, type ReelforgeError } from '../errors.js';
import { runFfmpeg, spawnFfmpeg } from './ffmpeg-process.js';
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

const playlist = (uri: string) => `#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n${uri}\n#EXT-X-ENDLIST\n`;
const decode = (input: string) => ['-i', input, '-f', 'null', '-'];

describe('input allow-list against crafted inputs (real ffmpeg)', () => {
  let ff: Ffmpeg;
  let dir: string;
  let outsideVideo: string;
  const file = (name: string, text: string) => writeFile(join(dir, name), text).then(() => join(dir, name));

  beforeAll(async () => {
    ff = await findFfmpeg({});
    dir = makeTempDir('protocols');
    const outside = join(makeTempDir('protocols-outside'), 'private');
    await mkdir(outside);
    outsideVideo = await makeTestVideo(join(tmpDir, 'media-fixtures'));
    await runFfmpeg(ff, ['-i', outsideVideo, '-c', 'copy', '-f', 'mpegts', join(outside, 'secret.ts')]);
    outsideVideo = join(outside, 'secret.ts');
  });

  it('refuses an HLS playlist that reaches for the network', async () => {
    const m3u8 = await file('net.m3u8', playlist('http://127.0.0.1:9/x.ts'));
    const e = await rejection(runFfmpeg(ff, decode(m3u8)));
    expect(e.code).toBe('MEDIA_PROTOCOL_REFUSED');
    expect(e.message).toContain('"http"');
    expect(e.status).toBe(422);
    expect(e.retryable).toBe(false);
    expect((await rejection(probe(ff, m3u8))).code).toBe('MEDIA_PROTOCOL_REFUSED');
  });

  it('refuses an HLS playlist that names a local non-media file', async () => {
    const m3u8 = await file('passwd.m3u8', playlist('file:/etc/passwd'));
    expect((await rejection(runFfmpeg(ff, decode(m3u8)))).code).toBe('MEDIA_PROTOCOL_REFUSED');
    expect((await rejection(probe(ff, m3u8))).code).toBe('MEDIA_PROTOCOL_REFUSED');
  });

  it('refuses, at probe, an HLS playlist that names media outside its folder, whatever its extension', async () => {
    for (const name of ['outside.m3u8', 'looks-like-a-video.mp4']) {
      const m3u8 = await file(name, playlist(`file:${outsideVideo}`));
      const e = await rejection(probe(ff, m3u8));
      expect(e.code).toBe('MEDIA_PROTOCOL_REFUSED');
      expect(e.message).toContain('format hls');
    }
  });

  it('refuses a concat list that names /etc/passwd', async () => {
    const list = await file('list.ffconcat', "ffconcat version 1.0\nfile '/etc/passwd'\n");
    const e = await rejection(runFfmpeg(ff, decode(list)));
    expect(e.code).toBe('MEDIA_PROTOCOL_REFUSED');
    expect(e.message).toContain('/etc/passwd');
    const forced = await rejection(runFfmpeg(ff, ['-f', 'concat', ...decode(list)]));
    expect(forced.code).toBe('MEDIA_PROTOCOL_REFUSED');
    expect((await rejection(probe(ff, list))).code).toBe('MEDIA_PROTOCOL_REFUSED');
  });

  it('refuses a concat list that climbs out with ../', async () => {
    const list = await file(
      'climb.txt',
      "ffconcat version 1.0\nfile '../protocols-outside/private/secret.ts'\n",
    );
    expect((await rejection(runFfmpeg(ff, decode(list)))).code).toBe('MEDIA_PROTOCOL_REFUSED');
  });

  it('refuses -safe 0 before starting ffmpeg', () => {
    expect(() => spawnFfmpeg(ff, ['-f', 'concat', '-safe', '0', ...decode('x.txt')])).toThrow(
      expect.objectContaining({ code: 'MEDIA_PROTOCOL_REFUSED' }),
    );
  });

  it('still joins local files named relative to the list (safe=1), as chunked renders need', async () => {
    const a = join(dir, 'a.ts');
    await runFfmpeg(ff, ['-i', outsideVideo, '-c', 'copy', a]);
    const list = await file('join.txt', "ffconcat version 1.0\nfile 'a.ts'\nfile 'a.ts'\n");
    await runFfmpeg(ff, ['-f', 'concat', '-i', list, '-c', 'copy', '-y', join(dir, 'joined.ts')]);
    expect((await probe(ff, join(dir, 'joined.ts'))).durationSec).toBeCloseTo(2, 0);
  });
});
