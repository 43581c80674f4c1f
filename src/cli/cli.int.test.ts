import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestImage } from '../../test/helpers/media-fixtures.js';
import { makeTempDir } from '../../test/helpers/paths.js';
import { isReelforgeError } from '../errors.js';
import { findFfmpeg, probe } from '../media/index.js';
import { loadTimelineFile } from './load-timeline.js';
import { runCli } from './test-support/run-cli.js';

/** Runs the CLI in this process and returns its exit code and what it printed. */
const run = runCli;

const FPS = 30;
let dir: string;
const at = (name: string) => join(dir, name);

async function writeJson(name: string, value: unknown): Promise<string> {
  await writeFile(at(name), JSON.stringify(value, null, 2));
  return at(name);
}

beforeAll(async () => {
  dir = makeTempDir('cli');
  await makeTestImage(dir, { w: 64, h: 36, pattern: 'testsrc2' });
  await writeJson('good.json', {
    output: { width: 160, height: 90, fps: FPS, profile: 'economy' },
    tracks: [
      { clips: [{ type: 'color', color: '#336699', start: 0, duration: 1 }] },
      { clips: [{ type: 'image', src: 'image-64x36-testsrc2.png', start: 0.2, duration: 0.6 }] },
      { clips: [{ type: 'text', text: 'Hi', start: 0, duration: 1, font: { size: 200 } }] },
    ],
  });
  await writeJson('broken.json', {
    output: { width: 161, height: 90 },
    tracks: [
      {
        clips: [
          { type: 'color', color: '#336699', start: 0, duration: -1 },
          { type: 'image', src: 'x.png', start: 0, duration: 1, colour: '#fff' },
        ],
      },
    ],
  });
  await writeJson('missing.json', {
    output: { width: 160, height: 90 },
    tracks: [
      {
        clips: [
          { type: 'color', color: '#000000', start: 0, duration: 1 },
          { type: 'image', src: 'photos/gone.png', start: 0, duration: 1 },
        ],
      },
    ],
  });
  await writeFile(at('syntax.json'), '{\n  "output": { "width": 160, },\n}\n');
  await writeFile(at('notes.txt'), 'not a media file\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('reelforge render', () => {
  it('renders a timeline to an H.264 MP4 with sound and prints a summary', async () => {
    const r = await run('render', at('good.json'), '-o', at('good.mp4'));
    expect(r.err).not.toContain('error');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`rendered ${at('good.mp4')}`);
    expect(r.out).toMatch(/kernels {2}(native|javascript)/);
    // Not a terminal: a handful of plain progress lines, no redraws.
    expect(r.err).not.toContain('\r');
    expect(r.err.split('\n').length).toBeLessThanOrEqual(6);

    const info = await probe(await findFfmpeg(), at('good.mp4'));
    expect(info.video).toMatchObject({ codec: 'h264', width: 160, height: 90 });
    expect(info.audio).not.toBeNull();
    expect(Math.abs((info.durationSec ?? 0) - 1)).toBeLessThanOrEqual(1 / FPS);
    expect((await readdir(dir)).filter((f) => f.includes('partial'))).toEqual([]);
  });

  it('renders part of a timeline at a scale and prints the result as JSON', async () => {
    const r = await run(
      'render',
      at('good.json'),
      ...['-o', at('part.mp4'), '--from', '0.2', '--to', '0.6', '--scale', '0.5', '--profile', 'economy'],
      '--json',
      '--quiet',
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out);
    expect(result).toMatchObject({ width: 80, height: 46, frames: 12, settings: { profile: 'economy' } });
    const info = await probe(await findFfmpeg(), at('part.mp4'));
    expect(info.video).toMatchObject({ width: 80, height: 46 });
    expect(Math.abs((info.durationSec ?? 0) - 0.4)).toBeLessThanOrEqual(1 / FPS);
  });

  it('names a missing media file by its place in the timeline and exits 2', async () => {
    const r = await run('render', at('missing.json'), '-o', at('missing.mp4'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('error [TIMELINE_MEDIA_MISSING]');
    expect(r.err).toContain('tracks[0].clips[1].src: file not found: photos/gone.png');
    expect(r.err).not.toMatch(/^\s+at /m);
  });

  it('reports bad JSON with line and column, and an invalid timeline problem by problem', async () => {
    const parse = await run('render', at('syntax.json'));
    expect(parse.code).toBe(2);
    expect(parse.err).toContain(`error [TIMELINE_PARSE]: ${at('syntax.json')}:2:29: invalid JSON`);

    const invalid = await run('render', at('broken.json'));
    expect(invalid.code).toBe(2);
    expect(invalid.err).toContain('error [TIMELINE_INVALID]');
    expect(invalid.err).toContain('\noutput.width: expected an even number of pixels, got 161\n');
  });

  it('exits 2 with a clear message for bad option values', async () => {
    const scale = await run('render', at('good.json'), '--scale', 'abc');
    expect(scale.code).toBe(2);
    expect(scale.err).toContain(`option '--scale <factor>' argument 'abc' is invalid`);
    expect(scale.err).toContain('from 0.05 to 1');

    const profile = await run('render', at('good.json'), '--profile', 'best');
    expect(profile.code).toBe(2);
    expect(profile.err).toContain('Allowed choices are economy, standard, premium, ultra');

    const range = await run('render', at('good.json'), '-o', at('range.mp4'), '--from', '0.8', '--to', '0.2');
    expect(range.code).toBe(2);
    expect(range.err).toContain('error [RENDER_RANGE_INVALID]');

    expect((await run('render', at('nowhere.json'))).err).toContain('nowhere.json: no such file');
    expect((await run('render', at('good.json'), '-o', at('good.json'))).code).toBe(2);
    expect((await run('bogus')).code).toBe(2);
  });
});

describe('reelforge frame', () => {
  it('writes the frame as PNG or JPEG, at a scale', async () => {
    const png = await run('frame', at('good.json'), '--at', '0.5', '--scale', '0.5', '-o', at('f.png'));
    expect(png.code).toBe(0);
    expect(png.out).toContain('80x46 png');
    expect(await sharp(at('f.png')).metadata()).toMatchObject({ format: 'png', width: 80, height: 46 });

    const jpg = await run('frame', at('good.json'), '--at', '0', '-o', at('f.jpg'), '--quality', '70');
    expect(jpg.code).toBe(0);
    expect(await sharp(at('f.jpg')).metadata()).toMatchObject({ format: 'jpeg', width: 160, height: 90 });
    expect((await readdir(dir)).filter((f) => f.includes('partial'))).toEqual([]);
  });

  it('refuses a time past the end, an unknown picture format and a missing --at', async () => {
    const late = await run('frame', at('good.json'), '--at', '1', '-o', at('late.png'));
    expect(late.code).toBe(2);
    expect(late.err).toContain('--at: expected a time from 0 to before the end of the video (1 s), got 1');
    const gif = await run('frame', at('good.json'), '--at', '0', '-o', at('f.gif'));
    expect(gif.code).toBe(2);
    expect(gif.err).toContain('expected a .png, .jpg or .jpeg file name');
    expect((await run('frame', at('good.json'))).err).toContain(`required option '--at <seconds>'`);
  });
});

describe('reelforge validate', () => {
  it('says ok with the length and clip count', async () => {
    const r = await run('validate', at('good.json'));
    expect(r).toMatchObject({ code: 0, out: `ok: ${at('good.json')} (1 s, 3 clips)\n` });
    const json = JSON.parse((await run('validate', at('good.json'), '--json')).out);
    expect(json).toMatchObject({ ok: true, durationSec: 1, clips: 3, tracks: 3 });
  });

  it('prints every problem of a broken timeline on its own line, with its path', async () => {
    const r = await run('validate', at('broken.json'));
    expect(r.code).toBe(2);
    expect(r.out.split('\n')).toEqual([
      `invalid: ${at('broken.json')} (3 problems)`,
      'output.width: expected an even number of pixels, got 161',
      'tracks[0].clips[0].duration: expected a positive number of seconds, got -1',
      expect.stringMatching(/^tracks\[0\]\.clips\[1\]\.colour: /),
      '',
    ]);
    const json = JSON.parse((await run('validate', at('broken.json'), '--json')).out);
    expect(json.ok).toBe(false);
    expect(json.problems.map((p: { path: string }) => p.path)).toEqual([
      'output.width',
      'tracks[0].clips[0].duration',
      'tracks[0].clips[1].colour',
    ]);
  });

  it('checks media files unless told not to', async () => {
    const r = await run('validate', at('missing.json'));
    expect(r.code).toBe(2);
    expect(r.out).toContain('tracks[0].clips[1].src: file not found: photos/gone.png');
    expect((await run('validate', at('missing.json'), '--no-media')).code).toBe(0);
  });

  it('shows where JSON goes wrong', async () => {
    const r = await run('validate', at('syntax.json'));
    expect(r.code).toBe(2);
    expect(r.out).toContain(':2:29: invalid JSON: expected a property name in double quotes');
    expect(r.out).toContain('^');
    const json = JSON.parse((await run('validate', at('syntax.json'), '--json')).out);
    expect(json.problems[0]).toMatchObject({ path: '', line: 2, column: 29 });
  });
});

describe('reelforge schema and probe', () => {
  it('prints the timeline JSON Schema and nothing else', async () => {
    const r = await run('schema');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(JSON.parse(r.out)).toMatchObject({ $id: expect.stringContaining('timeline'), type: 'object' });
  });

  it('describes a media file as JSON or for people', async () => {
    const image = join(dir, 'image-64x36-testsrc2.png');
    const json = await run('probe', image);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({ video: { width: 64, height: 36, isStillImage: true } });
    const human = await run('probe', image, '--human');
    expect(human.out).toMatch(/video {2}png 64x36, still image/);
  });

  it('exits 2 with the reason for a file that is not media', async () => {
    const r = await run('probe', at('notes.txt'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('error [MEDIA_UNREADABLE]');
    expect(r.err).toContain('notes.txt');
  });
});

describe('loadTimelineFile', () => {
  it('refuses files over the size limit and text that is not UTF-8', async () => {
    const big = await loadTimelineFile(at('good.json'), 10).catch((e: unknown) => e);
    expect(isReelforgeError(big, 'TIMELINE_INVALID') && big.message).toMatch(
      /more than a timeline file may have/,
    );
    await writeFile(at('latin1.json'), Buffer.from([0x7b, 0xe9, 0x7d]));
    const latin1 = await loadTimelineFile(at('latin1.json')).catch((e: unknown) => e);
    expect(isReelforgeError(latin1, 'TIMELINE_PARSE')).toBe(true);
    const folder = await loadTimelineFile(dir).catch((e: unknown) => e);
    expect(isReelforgeError(folder, 'USAGE')).toBe(true);
  });

  it('resolves media against the timeline file’s folder', async () => {
    const loaded = await loadTimelineFile(at('good.json'));
    expect(loaded).toMatchObject({ baseDir: dir, source: at('good.json') });
  });
});
