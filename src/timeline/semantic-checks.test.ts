import { describe, expect, it } from 'vitest';
import { formatProblem } from './problems.js';
import { validateTimeline } from './validate.js';

type Clip = Record<string, unknown>;

function timeline(tracks: { id?: string; clips: Clip[] }[], output: Clip = {}): unknown {
  return { output: { width: 1280, height: 720, ...output }, tracks };
}

function lines(input: unknown): string[] {
  const result = validateTimeline(input);
  return result.ok ? [] : result.problems.map(formatProblem);
}

const image = (extra: Clip = {}): Clip => ({ type: 'image', src: 'a.jpg', start: 0, duration: 4, ...extra });

describe('semantic checks', () => {
  it('reports keyframes beyond the clip, in transforms and camera moves', () => {
    const clip = image({
      transform: {
        opacity: [
          { t: 0, value: 0 },
          { t: 5, value: 1 },
        ],
      },
      camera: { keyframes: [{ t: 0 }, { t: 4.5, zoom: 2 }] },
    });
    expect(lines(timeline([{ clips: [clip] }]))).toEqual([
      "tracks[0].clips[0].transform.opacity[1].t: keyframe at 5 s is beyond the clip's duration of 4 s",
      "tracks[0].clips[0].camera.keyframes[1].t: keyframe at 4.5 s is beyond the clip's duration of 4 s",
    ]);
  });

  it('accepts a keyframe exactly at the end of the clip', () => {
    const clip = image({
      transform: {
        scale: [
          { t: 0, value: 1 },
          { t: 4, value: 2 },
        ],
      },
    });
    expect(lines(timeline([{ clips: [clip] }]))).toEqual([]);
  });

  it('uses (trimEnd - trimStart) / speed as the length of a video clip without duration', () => {
    const clip = {
      type: 'video',
      src: 'v.mp4',
      start: 0,
      trimStart: 2,
      trimEnd: 6,
      speed: 2,
      transform: {
        x: [
          { t: 0, value: 0 },
          { t: 3, value: 1 },
        ],
      },
    };
    expect(lines(timeline([{ clips: [clip] }]))).toEqual([
      "tracks[0].clips[0].transform.x[1].t: keyframe at 3 s is beyond the clip's duration of 2 s",
    ]);
  });

  it('reports transitions longer than the clip', () => {
    const both = image({
      duration: 2,
      transitionIn: { type: 'crossfade', duration: 1.5 },
      transitionOut: { type: 'fade', duration: 1 },
    });
    const one = image({ duration: 1, transitionIn: { type: 'slide', duration: 2 } });
    expect(lines(timeline([{ clips: [both, one] }]))).toEqual([
      'tracks[0].clips[0].transitionOut.duration: transitionIn 1.5 s + transitionOut 1 s = 2.5 s is longer than the clip (2 s)',
      'tracks[0].clips[1].transitionIn.duration: transitionIn 2 s is longer than the clip (1 s)',
    ]);
  });

  it('reports fades longer than a text or audio clip', () => {
    const text = { type: 'text', text: 'hi', start: 0, duration: 1, fadeIn: 0.5, fadeOut: 0.75 };
    expect(lines(timeline([{ clips: [text] }]))).toEqual([
      'tracks[0].clips[0].fadeOut: fadeIn 0.5 s + fadeOut 0.75 s is longer than the clip (1 s)',
    ]);
  });

  it('reports trimEnd at or before trimStart', () => {
    const clip = { type: 'video', src: 'v.mp4', start: 0, trimStart: 3, trimEnd: 2 };
    expect(lines(timeline([{ clips: [clip] }]))).toEqual([
      'tracks[0].clips[0].trimEnd: expected trimEnd to be after trimStart (3 s), got 2',
    ]);
  });

  it('reports a duck naming a track that does not exist, with a suggestion', () => {
    const music = { type: 'audio', src: 'm.mp3', start: 0, duck: { track: 'voics' } };
    expect(
      lines(
        timeline(
          [
            { id: 'music', clips: [music] },
            { id: 'voice', clips: [] },
          ],
          { duration: 5 },
        ),
      ),
    ).toEqual(['tracks[0].clips[0].duck.track: no track has id "voics" (did you mean "voice"?)']);
  });

  it('reports a clip ducking under its own track', () => {
    const music = { type: 'audio', src: 'm.mp3', start: 0, duration: 3, duck: { track: 'music' } };
    expect(lines(timeline([{ id: 'music', clips: [music] }]))).toEqual([
      'tracks[0].clips[0].duck.track: a clip cannot duck under its own track "music"',
    ]);
  });

  it('reports duplicate track and clip ids, naming the first use', () => {
    const tracks = [
      { id: 'main', clips: [image({ id: 'intro' })] },
      { id: 'main', clips: [image({ id: 'intro' })] },
    ];
    expect(lines(timeline(tracks))).toEqual([
      'tracks[1].id: duplicate track id "main" (also used by tracks[0])',
      'tracks[1].clips[0].id: duplicate clip id "intro" (also used by tracks[0].clips[0])',
    ]);
  });

  it('reports a text box that leaves the frame', () => {
    const text = {
      type: 'text',
      text: 'hi',
      start: 0,
      duration: 2,
      box: { x: 0.5, y: 0.1, width: 0.6, height: 0.2 },
    };
    expect(lines(timeline([{ clips: [text] }]))).toEqual([
      'tracks[0].clips[0].box: the text box leaves the frame: x 0.5 + width 0.6 = 1.1, more than 1',
    ]);
  });

  it('requires output.duration when no clip sets the length', () => {
    expect(lines(timeline([{ clips: [] }]))).toEqual([
      'output.duration: required when no clip sets the length',
    ]);
    const loop = { type: 'audio', src: 'm.mp3', start: 0, loop: true };
    expect(lines(timeline([{ clips: [loop] }]))).toEqual([
      'output.duration: required when no clip sets the length',
    ]);
    expect(lines(timeline([{ clips: [loop] }], { duration: 10 }))).toEqual([]);
  });

  it('allows an output.duration shorter than the clips (it cuts)', () => {
    expect(lines(timeline([{ clips: [image({ duration: 10 })] }], { duration: 2 }))).toEqual([]);
  });

  it('reports several semantic problems at once', () => {
    const tracks = [
      {
        id: 'a',
        clips: [
          image({ transitionIn: { type: 'fade', duration: 5 } }),
          { type: 'video', src: 'v.mp4', start: 0, trimStart: 1, trimEnd: 1 },
        ],
      },
      { id: 'a', clips: [{ type: 'audio', src: 'm.mp3', start: 0, duck: { track: 'nobody' } }] },
    ];
    const result = validateTimeline(timeline(tracks));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.path)).toEqual([
      'tracks[1].id',
      'tracks[0].clips[0].transitionIn.duration',
      'tracks[0].clips[1].trimEnd',
      'tracks[1].clips[0].duck.track',
    ]);
  });
});
