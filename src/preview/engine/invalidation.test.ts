import { afterEach, describe, expect, it } from 'vitest';
import type { Ffmpeg } from '../../media/index.js';
import { parseTimeline, type Timeline, type TimelineInput } from '../../timeline/index.js';
import { frameKey } from './frame-key.js';
import { FrameService } from './index.js';
import { affectedBy } from './invalidation.js';

/**
 * Which cached frames an edit drops. Wireframe frames are cached like any other but need no worker
 * and no media, so these tests fill the cache with them.
 */

// Never started: wireframes do not reach the worker pool.
const ff: Ffmpeg = {
  ffmpegPath: 'ffmpeg',
  ffprobePath: 'ffprobe',
  version: '5.1',
  major: 5,
  protocols: ['file'],
};
let svc: FrameService;

afterEach(async () => {
  await svc?.close();
});

type Tracks = TimelineInput['tracks'];
const base = (): Tracks => [
  {
    clips: [
      { id: 'a', type: 'image', src: '/media/a.png', start: 0, duration: 2 },
      {
        id: 'b',
        type: 'image',
        src: '/media/b.png',
        start: 1.5,
        duration: 2.5,
        transitionIn: { type: 'crossfade', duration: 0.5 },
      },
    ],
  },
  {
    clips: [
      { id: 'c', type: 'text', text: 'title', start: 3, duration: 1 },
      { type: 'audio', src: '/media/music.wav', start: 0, duration: 4 },
    ],
  },
];
const make = (tracks: Tracks, params: TimelineInput['params'] = {}): Timeline =>
  parseTimeline({ output: { width: 320, height: 180, fps: 30 }, params, tracks });

/** Frames every 0.25 s over 4 s: 16 cache entries. */
const TIMES = Array.from({ length: 16 }, (_, i) => i * 0.25);

async function fill(tl: Timeline): Promise<void> {
  for (const time of TIMES) await svc.render({ timeline: tl, time, quality: 'wireframe', format: 'jpeg' });
}

/** The times whose frames of `tl` are served from the cache. */
async function cached(tl: Timeline): Promise<number[]> {
  const hits: number[] = [];
  for (const time of TIMES) {
    const r = await svc.render({ timeline: tl, time, quality: 'wireframe', format: 'jpeg' });
    if (r.cacheHit) hits.push(time);
  }
  return hits;
}

function edit(mutate: (tracks: Tracks) => void, params?: TimelineInput['params']): Timeline {
  const tracks = structuredClone(base());
  mutate(tracks);
  return make(tracks, params);
}

const clip = (tracks: Tracks, t: number, c: number) => tracks[t]!.clips[c] as Record<string, unknown>;

describe('invalidate', () => {
  it('an edited clip drops only the frames inside its time range (transition overlap included)', async () => {
    svc = new FrameService({ ffmpeg: ff });
    const before = make(base());
    await fill(before);
    expect(svc.stats().cache.entries).toBe(16);
    const after = edit((t) => {
      clip(t, 0, 0).transform = { scale: 0.5 };
    });
    // a shows over [0, 2): eight frames, two of them (1.5, 1.75) also in b's crossfade.
    expect(svc.invalidate(before, after)).toBe(8);
    expect(svc.stats().cache.entries).toBe(8);
    // b's and c's frames are still there, and still right for the new timeline.
    expect(await cached(after)).toEqual(TIMES.filter((t) => t >= 2));
  });

  it('editing the clip that crossfades in drops its frames, the overlap with its neighbour included', async () => {
    svc = new FrameService({ ffmpeg: ff });
    const before = make(base());
    await fill(before);
    const after = edit((t) => {
      clip(t, 0, 1).transitionIn = { type: 'crossfade', duration: 1 };
    });
    expect(svc.invalidate(before, after)).toBe(10); // 1.5 … 3.75
    expect(await cached(after)).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25]);
  });

  it('a clip under a morph transition drops the whole morph window with its own frames', async () => {
    svc = new FrameService({ ffmpeg: ff });
    // m morphs in over [1, 2] from what is under it at 1 s (a) to what is there at 2 s (a, b, m).
    const morph = (c: Tracks) => {
      c[1]!.clips.push({
        id: 'm',
        type: 'color',
        color: '#ff0000',
        start: 1,
        duration: 1.5,
        transitionIn: { type: 'morph', duration: 1 },
      });
    };
    const before = edit(morph);
    await fill(before);
    const after = edit((c) => {
      morph(c);
      clip(c, 0, 1).adjust = { brightness: 0.2 };
    });
    // b shows over [1.5, 4): ten frames; the in-betweens at 1 and 1.25 s are made from it too.
    expect(svc.invalidate(before, after)).toBe(12);
    expect(await cached(after)).toEqual([0, 0.25, 0.5, 0.75]);
    expect(TIMES.filter((t) => !keyKept(before, after, t))).toEqual(TIMES.filter((t) => t >= 1));
  });

  it('a clip above a morphing clip does not widen to its window', () => {
    const tracks = (color: string): Tracks => [
      {
        clips: [
          { id: 'a', type: 'color', color: '#000000', start: 0, duration: 4 },
          {
            id: 'm',
            type: 'color',
            color: '#ffffff',
            start: 1,
            duration: 2,
            transitionIn: { type: 'morph', duration: 1 },
          },
        ],
      },
      { clips: [{ id: 'top', type: 'color', color, start: 1.75, duration: 1 }] },
    ];
    const before = make(tracks('#ff0000'));
    const after = make(tracks('#00ff00'));
    expect(TIMES.filter((t) => !keyKept(before, after, t))).toEqual([2, 2.25, 2.5, 2.75]); // 1.75 s falls in frame 52 (1.733 s), before it starts
  });

  it('a change to params drops every frame of that timeline, and only of that timeline', async () => {
    svc = new FrameService({ ffmpeg: ff });
    const before = make(base());
    // Another project with the same output and params shares the cache.
    const other = make([{ clips: [{ id: 'z', type: 'color', color: '#123456', start: 0, duration: 4 }] }]);
    await fill(before);
    await fill(other);
    expect(svc.invalidate(before, make(base(), { interpolation: 0.5 }))).toBe(16);
    expect(svc.stats().cache.entries).toBe(16);
    expect(await cached(other)).toEqual(TIMES);
  });

  it('an audio-only edit, or no edit, drops nothing', async () => {
    svc = new FrameService({ ffmpeg: ff });
    const before = make(base());
    await fill(before);
    expect(
      svc.invalidate(
        before,
        edit((t) => {
          clip(t, 1, 1).volume = 0.5;
        }),
      ),
    ).toBe(0);
    expect(svc.invalidate(before, make(base()))).toBe(0);
    expect(svc.stats().cache.entries).toBe(16);
  });

  it('an inserted clip matched by id leaves the other clips alone', () => {
    const before = make(base());
    const after = edit((t) => {
      t[0]!.clips.unshift({ id: 'new', type: 'color', color: '#000000', start: 10, duration: 1 });
    });
    const a = affectedBy(before, after);
    expect(a.all).toBe(false);
    // a and b moved one place down their track (stack order), so they count as changed too.
    if (!a.all) expect([...a.clipIds].sort()).toEqual(['a', 'b', 'new']);
  });
});

/** Whether the frame at t keeps its key across the edit. */
function keyKept(before: Timeline, after: Timeline, t: number): boolean {
  return frameKey(before, t, 'wireframe', 'jpeg').key === frameKey(after, t, 'wireframe', 'jpeg').key;
}
