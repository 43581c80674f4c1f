import { describe, expect, it } from 'vitest';
import { isReelforgeError } from '../errors.js';
import { assertTimelineMedia, checkTimelineMedia, type MediaCheckDeps } from './check-timeline-media.js';
import { parseTimeline } from './validate.js';

const timeline = parseTimeline({
  output: { width: 640, height: 360, duration: 10 },
  tracks: [
    {
      clips: [
        { type: 'image', src: 'photos/a.jpg', start: 0, duration: 2 },
        { type: 'image', src: 'photos/missing.jpg', start: 2, duration: 2 },
        { type: 'video', src: 'clips/broken.mp4', start: 4, duration: 2 },
        { type: 'text', text: 'no file', start: 0, duration: 1 },
        { type: 'image', src: 'photos/a.jpg', start: 6, duration: 2 },
      ],
    },
    { clips: [{ type: 'audio', src: 'music.mp3', start: 0 }] },
  ],
});

/** Fake I/O: a set of existing files, a set of undecodable ones, and counters. */
function fakeDeps(existing: string[], broken: string[] = []) {
  const calls = { exists: [] as string[], probe: [] as string[], active: 0, maxActive: 0 };
  const deps: MediaCheckDeps = {
    resolvePath: (src) => `/media/${src}`,
    exists: async (path) => {
      calls.exists.push(path);
      calls.active++;
      calls.maxActive = Math.max(calls.maxActive, calls.active);
      await new Promise((r) => setTimeout(r, 5));
      calls.active--;
      return existing.includes(path);
    },
    probe: async (path) => {
      calls.probe.push(path);
      if (broken.includes(path)) throw new Error('moov atom not found');
      return {};
    },
  };
  return { deps, calls };
}

describe('checkTimelineMedia', () => {
  it('reports missing and undecodable sources with the clip paths', async () => {
    const { deps } = fakeDeps(
      ['/media/photos/a.jpg', '/media/clips/broken.mp4', '/media/music.mp3'],
      ['/media/clips/broken.mp4'],
    );
    const problems = await checkTimelineMedia(timeline, deps);
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'tracks[0].clips[1].src: file not found: photos/missing.jpg',
      'tracks[0].clips[2].src: cannot be decoded: moov atom not found',
    ]);
    expect(problems.map((p) => p.kind)).toEqual(['missing', 'undecodable']);
  });

  it('checks each distinct path once', async () => {
    const { deps, calls } = fakeDeps(['/media/photos/a.jpg']);
    const problems = await checkTimelineMedia(timeline, deps);
    expect(calls.exists.sort()).toEqual([
      '/media/clips/broken.mp4',
      '/media/music.mp3',
      '/media/photos/a.jpg',
      '/media/photos/missing.jpg',
    ]);
    expect(calls.probe).toEqual(['/media/photos/a.jpg']);
    expect(problems).toHaveLength(3);
  });

  it('runs at most four checks at a time', async () => {
    const clips = Array.from({ length: 20 }, (_, i) => ({
      type: 'image',
      src: `p${i}.jpg`,
      start: i,
      duration: 1,
    }));
    const many = parseTimeline({ output: { width: 640, height: 360 }, tracks: [{ clips }] });
    const { deps, calls } = fakeDeps([]);
    const problems = await checkTimelineMedia(many, deps);
    expect(problems).toHaveLength(20);
    expect(calls.maxActive).toBe(4);
  });

  it('reports a source the resolver refuses without checking it', async () => {
    const { deps, calls } = fakeDeps([
      '/media/photos/a.jpg',
      '/media/clips/broken.mp4',
      '/media/music.mp3',
      '/media/photos/missing.jpg',
    ]);
    deps.resolvePath = (src) => {
      if (src === 'music.mp3') throw new Error('outside the media folder');
      return `/media/${src}`;
    };
    const problems = await checkTimelineMedia(timeline, deps);
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'tracks[1].clips[0].src: cannot be used: outside the media folder',
    ]);
    expect(calls.exists).not.toContain('/media/music.mp3');
  });

  it('stops when the signal is aborted', async () => {
    const { deps } = fakeDeps([]);
    await expect(checkTimelineMedia(timeline, deps, { signal: AbortSignal.abort() })).rejects.toThrow();
  });
});

describe('assertTimelineMedia', () => {
  it('passes when every file is there and decodes', async () => {
    const all = [
      '/media/photos/a.jpg',
      '/media/photos/missing.jpg',
      '/media/clips/broken.mp4',
      '/media/music.mp3',
    ];
    await expect(assertTimelineMedia(timeline, fakeDeps(all).deps)).resolves.toBeUndefined();
  });

  it('throws TIMELINE_MEDIA_MISSING listing every problem when a file is missing', async () => {
    const { deps } = fakeDeps(['/media/clips/broken.mp4', '/media/music.mp3'], ['/media/clips/broken.mp4']);
    const error = await assertTimelineMedia(timeline, deps).catch((e: unknown) => e);
    expect(isReelforgeError(error, 'TIMELINE_MEDIA_MISSING')).toBe(true);
    if (!isReelforgeError(error)) return;
    expect(error.status).toBe(422);
    expect(error.message.split('\n')).toEqual([
      'media files are missing (4 problems):',
      'tracks[0].clips[0].src: file not found: photos/a.jpg',
      'tracks[0].clips[1].src: file not found: photos/missing.jpg',
      'tracks[0].clips[2].src: cannot be decoded: moov atom not found',
      'tracks[0].clips[4].src: file not found: photos/a.jpg',
    ]);
    expect(error.meta.details).toHaveLength(4);
  });

  it('throws TIMELINE_MEDIA_UNDECODABLE when files exist but do not decode', async () => {
    const all = [
      '/media/photos/a.jpg',
      '/media/photos/missing.jpg',
      '/media/clips/broken.mp4',
      '/media/music.mp3',
    ];
    const error = await assertTimelineMedia(timeline, fakeDeps(all, ['/media/music.mp3']).deps).catch(
      (e: unknown) => e,
    );
    expect(isReelforgeError(error, 'TIMELINE_MEDIA_UNDECODABLE')).toBe(true);
  });
});
