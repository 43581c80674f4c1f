import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/helpers/paths.js';
import { isReelforgeError, type ReelforgeError } from '../errors.js';
import { hasEncoder, hasFilter, listEncoders, listFilters } from './capabilities.js';
import { type Ffmpeg, findFfmpeg } from './find-ffmpeg.js';

async function rejection(p: Promise<unknown>): Promise<ReelforgeError> {
  try {
    await p;
  } catch (e) {
    if (isReelforgeError(e)) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

describe('findFfmpeg (real binaries)', () => {
  let ff: Ffmpeg;
  beforeAll(async () => {
    ff = await findFfmpeg({});
  });

  it('finds ffmpeg 5+ on the PATH with the default protocols', () => {
    expect(ff.major).toBeGreaterThanOrEqual(5);
    expect(ff.version).toMatch(/^\S+$/);
    expect(ff.protocols).toEqual(['file', 'pipe']);
    expect(Object.isFrozen(ff)).toBe(true);
  });

  it('uses explicit paths and finds ffprobe beside an explicit ffmpeg', async () => {
    const explicit = await findFfmpeg({ ffmpegPath: '/usr/bin/ffmpeg', protocols: ['file'] });
    expect(explicit).toMatchObject({
      ffmpegPath: '/usr/bin/ffmpeg',
      ffprobePath: '/usr/bin/ffprobe',
      protocols: ['file'],
    });
  });

  it('reports a missing binary with install instructions', async () => {
    const e = await rejection(
      findFfmpeg({ ffmpegPath: '/nonexistent/ffmpeg', ffprobePath: '/usr/bin/ffprobe' }),
    );
    expect(e.code).toBe('FFMPEG_NOT_FOUND');
    expect(e.message).toContain('/nonexistent/ffmpeg');
    expect(e.message).toContain('apt-get install ffmpeg');
    expect(e.message).toContain('REELFORGE_FFMPEG');
    expect(e.retryable).toBe(false);
  });

  it('refuses ffmpeg older than 5', async () => {
    const dir = makeTempDir('old-ffmpeg');
    const fake = join(dir, 'ffmpeg');
    await writeFile(
      fake,
      '#!/bin/sh\necho "ffmpeg version 4.4.2-0ubuntu0.22.04.1 Copyright (c) 2000-2021"\n',
    );
    await chmod(fake, 0o755);
    const e = await rejection(findFfmpeg({ ffmpegPath: fake }));
    expect(e.code).toBe('FFMPEG_TOO_OLD');
    expect(e.message).toContain('4.4.2');
  });

  it('refuses an empty protocol list', async () => {
    expect((await rejection(findFfmpeg({ protocols: [] }))).code).toBe('CONFIG_INVALID');
  });

  it('lists encoders and filters once per Ffmpeg object', async () => {
    expect(await hasEncoder(ff, 'libx264')).toBe(true);
    expect(await hasEncoder(ff, 'aac')).toBe(true);
    expect(await hasEncoder(ff, 'no-such-encoder')).toBe(false);
    expect(await hasFilter(ff, 'scale')).toBe(true);
    expect(await hasFilter(ff, 'no-such-filter')).toBe(false);
    expect(await listEncoders(ff)).toBe(await listEncoders(ff));
    expect(await listFilters(ff)).toBe(await listFilters(ff));
    const other = await findFfmpeg({});
    expect(await listEncoders(other)).not.toBe(await listEncoders(ff));
  });

  it('works on a hand-made Ffmpeg object without a memo', async () => {
    const { ffmpegPath, ffprobePath, version, major, protocols } = ff;
    const plain: Ffmpeg = { ffmpegPath, ffprobePath, version, major, protocols };
    expect(await hasEncoder(plain, 'libx264')).toBe(true);
    expect(await listFilters(plain)).not.toBe(await listFilters(plain));
  });
});
