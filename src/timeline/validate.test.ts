import { describe, expect, it } from 'vitest';
import { isReelforgeError } from '../errors.js';
import { formatProblem } from './problems.js';
import { parseTimeline, validateTimeline } from './validate.js';

/** A valid timeline with one image clip; tests change one thing in it. */
function base(): {
  output: Record<string, unknown>;
  tracks: { id?: string; clips: Record<string, unknown>[] }[];
} & Record<string, unknown> {
  return {
    output: { width: 1280, height: 720 },
    tracks: [{ clips: [{ type: 'image', src: 'a.jpg', start: 0, duration: 3 }] }],
  };
}

function lines(input: unknown): string[] {
  const result = validateTimeline(input);
  return result.ok ? [] : result.problems.map(formatProblem);
}

function withClip(clip: Record<string, unknown>): unknown {
  const t = base();
  t.tracks[0]?.clips.push(clip);
  return t;
}

describe('validateTimeline: valid input', () => {
  it('accepts a minimal timeline and applies defaults', () => {
    const result = validateTimeline(base());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.timeline.version).toBe(1);
    expect(result.timeline.output.fps).toBe(30);
    expect(result.timeline.params).toEqual({ interpolation: 1, cameraSpeed: 1, grade: 1, look: 'neutral' });
    const clip = result.timeline.tracks[0]?.clips[0];
    expect(clip?.type === 'image' && clip.fit).toBe('cover');
  });

  it('accepts a timeline with only a background and an output duration', () => {
    expect(lines({ output: { width: 640, height: 360, duration: 5 }, tracks: [{ clips: [] }] })).toEqual([]);
  });
});

describe('validateTimeline: wording of schema problems', () => {
  it('says a duration must be a positive number of seconds', () => {
    expect(lines(withClip({ type: 'color', color: '#fff', start: 0, duration: -1 }))).toEqual([
      'tracks[0].clips[1].duration: expected a positive number of seconds, got -1',
    ]);
  });

  it('names bounds and units for too_small and too_big', () => {
    const t = base();
    t.output = { width: 1280, height: 720, fps: 500 };
    t.tracks[0]?.clips.push({ type: 'color', color: '#fff', start: -2, duration: 1, transform: { x: 0.5 } });
    t.tracks[0]?.clips.push({ type: 'video', src: 'v.mp4', start: 0, speed: 0.01 });
    expect(lines(t)).toEqual([
      'output.fps: expected a number ≤ 240, got 500',
      'tracks[0].clips[1].start: expected a non-negative number of seconds, got -2',
      'tracks[0].clips[2].speed: expected a number ≥ 0.1, got 0.01',
    ]);
  });

  it('counts items and characters for arrays and strings', () => {
    const t = base();
    t.output = { width: 640, height: 360, crf: 20.5 };
    t.tracks[0]?.clips.push({
      type: 'gradient',
      start: 0,
      duration: 1,
      gradient: { stops: [{ offset: 0, color: '#fff' }] },
    });
    t.tracks[0]?.clips.push({ type: 'text', id: 'x'.repeat(201), text: 'a', start: 0, duration: 1 });
    expect(lines(t)).toEqual([
      'output.crf: expected an integer, got 20.5',
      'tracks[0].clips[1].gradient.stops: expected at least 2 items, got an array with 1 item',
      `tracks[0].clips[2].id: expected at most 200 characters, got "${'x'.repeat(57)}..." (201 characters)`,
    ]);
    expect(lines({ output: { width: 640, height: 360 }, tracks: [] })).toEqual([
      'tracks: expected at least 1 item, got an empty array',
    ]);
  });

  it('says what type was expected and what was received', () => {
    expect(lines(withClip({ type: 'image', src: 'b.jpg', start: 'abc', duration: 2 }))).toEqual([
      'tracks[0].clips[1].start: expected a number of seconds, got string "abc"',
    ]);
    const t = base();
    t.output = { width: 1280, height: 720, fps: 'abc' };
    expect(lines(t)).toEqual(['output.fps: expected a number, got string "abc"']);
  });

  it('reports a missing field as missing', () => {
    expect(lines(withClip({ type: 'image', start: 0, duration: 2 }))).toEqual([
      'tracks[0].clips[1].src: missing: expected a string',
    ]);
  });

  it('lists enum values and suggests the closest one', () => {
    const result = validateTimeline(
      withClip({ type: 'image', src: 'b.jpg', start: 0, duration: 2, fit: 'cvoer' }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      {
        path: 'tracks[0].clips[1].fit',
        message: 'expected one of cover, contain, fill, got "cvoer" (did you mean "cover"?)',
        expected: 'one of cover, contain, fill',
        received: '"cvoer"',
      },
    ]);
  });

  it('reports an unknown clip type once, with a suggestion', () => {
    expect(lines(withClip({ type: 'imgae', src: 'b.jpg', start: 0, duration: 2 }))).toEqual([
      'tracks[0].clips[1].type: expected type to be one of image, video, color, gradient, text, audio, got "imgae" (did you mean "image"?)',
    ]);
  });

  it("reports the errors of the clip's own type, not of every type", () => {
    expect(lines(withClip({ type: 'text', text: '', start: 0, duration: 2, align: 'centre' }))).toEqual([
      'tracks[0].clips[1].text: expected a non-empty string, got ""',
      'tracks[0].clips[1].align: expected one of left, center, right, got "centre" (did you mean "center"?)',
    ]);
  });

  it('suggests the closest allowed key for an unknown key', () => {
    expect(lines(withClip({ type: 'color', colour: '#fff', color: '#000', start: 0, duration: 1 }))).toEqual([
      'tracks[0].clips[1].colour: unknown key (did you mean "color"?)',
    ]);
    const t = base();
    t.tracks[0]?.clips.push({ type: 'text', text: 'hi', start: 0, duration: 1, font: { sise: 20 } });
    expect(lines(t)).toEqual(['tracks[0].clips[1].font.sise: unknown key (did you mean "size"?)']);
  });

  it('lists the allowed keys when no key is close', () => {
    const t = base();
    t.params = { zzz: 1 };
    expect(lines(t)).toEqual([
      'params.zzz: unknown key (allowed: interpolation, cameraSpeed, grade, look, motionBlur, resolutionScale, depthOfField)',
    ]);
  });

  it('finds allowed keys inside unions without a discriminator', () => {
    const camera = { from: { zoom: 1 }, too: { zoom: 2 } };
    expect(lines(withClip({ type: 'image', src: 'b.jpg', start: 0, duration: 2, camera }))).toEqual([
      'tracks[0].clips[1].camera.too: unknown key (did you mean "to"?)',
    ]);
    const keyframes = { keyframe: [{ t: 0 }] };
    expect(
      lines(withClip({ type: 'image', src: 'b.jpg', start: 0, duration: 2, camera: keyframes })),
    ).toEqual(['tracks[0].clips[1].camera.keyframe: unknown key (did you mean "keyframes"?)']);
  });

  it('reports inside the union option the value was meant for', () => {
    const camera = { keyframes: [{ zoom: 2 }] };
    expect(lines(withClip({ type: 'image', src: 'b.jpg', start: 0, duration: 2, camera }))).toEqual([
      'tracks[0].clips[1].camera.keyframes[0].t: missing: expected a number of seconds',
    ]);
    expect(
      lines(
        withClip({
          type: 'image',
          src: 'b.jpg',
          start: 0,
          duration: 2,
          transform: { x: [{ t: 0, value: 'a' }] },
        }),
      ),
    ).toEqual(['tracks[0].clips[1].transform.x[0].value: expected a number, got string "a"']);
  });

  it('describes every option when a value fits none of a union', () => {
    expect(
      lines(withClip({ type: 'image', src: 'b.jpg', start: 0, duration: 2, transform: { y: 'top' } })),
    ).toEqual([
      'tracks[0].clips[1].transform.y: expected a number or a list of { t, value, easing }, got string "top"',
    ]);
    const transitionIn = { type: 'fade', duration: 1, easing: 'ease-inn' };
    expect(lines(withClip({ type: 'image', src: 'b.jpg', start: 0, duration: 2, transitionIn }))).toEqual([
      'tracks[0].clips[1].transitionIn.easing: expected one of linear, ease, ease-in, ease-out, ease-in-out, hold or an object { cubicBezier }, got string "ease-inn" (did you mean "ease-in"?)',
    ]);
  });

  it("keeps the schema's own messages and adds what was received", () => {
    const t = base();
    t.output = { width: 1280, height: 721, background: 'red' };
    expect(lines(t)).toEqual([
      'output.height: expected an even number of pixels, got 721',
      'output.background: expected a colour as #rgb, #rgba, #rrggbb or #rrggbbaa, got "red"',
    ]);
  });

  it('points at the keyframe that breaks the order', () => {
    const opacity = [
      { t: 0, value: 0 },
      { t: 2, value: 1 },
      { t: 1, value: 0 },
    ];
    expect(
      lines(withClip({ type: 'image', src: 'b.jpg', start: 0, duration: 3, transform: { opacity } })),
    ).toEqual(['tracks[0].clips[1].transform.opacity[2].t: keyframes must be sorted by t: 1 comes after 2']);
  });

  it('reports a document that is not an object at the root', () => {
    expect(lines([])).toEqual(['(root): expected an object, got an empty array']);
  });
});

describe('validateTimeline: every problem at once', () => {
  it('reports five different mistakes as five problems with their paths', () => {
    const input = {
      output: { width: 1280, height: 720, fps: 'fast' },
      tracks: [
        {
          clips: [
            { type: 'image', src: 'a.jpg', start: 0, duration: 0 },
            { type: 'vidoe', src: 'b.mp4', start: 0 },
            { type: 'text', text: 'hi', start: 0, duration: 2, colr: '#fff' },
            { type: 'audio', src: 'm.mp3', start: 0, volume: 9 },
          ],
        },
      ],
    };
    const result = validateTimeline(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.path)).toEqual([
      'output.fps',
      'tracks[0].clips[0].duration',
      'tracks[0].clips[1].type',
      'tracks[0].clips[2].colr',
      'tracks[0].clips[3].volume',
    ]);
    expect(result.problems[3]?.message).toBe('unknown key (did you mean "color"?)');
  });
});

describe('parseTimeline', () => {
  it('returns the parsed timeline when it is valid', () => {
    expect(parseTimeline(base()).tracks).toHaveLength(1);
  });

  it('throws TIMELINE_INVALID listing every problem, one per line', () => {
    const t = base();
    t.output = { width: 1281, height: 720 };
    t.tracks[0]?.clips.push({ type: 'image', src: 'b.jpg', start: 0, duration: -1 });
    try {
      parseTimeline(t, { source: 'intro.json' });
      expect.unreachable();
    } catch (e) {
      expect(isReelforgeError(e, 'TIMELINE_INVALID')).toBe(true);
      if (!isReelforgeError(e)) return;
      expect(e.status).toBe(422);
      expect(e.retryable).toBe(false);
      expect(e.message).toBe(
        [
          'intro.json is not a valid timeline (2 problems):',
          'output.width: expected an even number of pixels, got 1281',
          'tracks[0].clips[1].duration: expected a positive number of seconds, got -1',
        ].join('\n'),
      );
      expect(e.meta.details).toHaveLength(2);
    }
  });
});

describe('validateTimeline: hostile input', () => {
  it('reports keys named like Object.prototype members as unknown keys', () => {
    const t = JSON.parse(
      '{"output":{"width":640,"height":360,"constructor":1},"tracks":[{"clips":[{"type":"image","src":"a.jpg","start":0,"duration":1,"__proto__":{"x":1},"camera":{"toString":2}}]}]}',
    );
    expect(lines(t)).toEqual([
      'output.constructor: unknown key (allowed: width, height, fps, duration, background, format, codec, alpha, hardware, profile, crf, preset, audioBitrate)',
      'tracks[0].clips[0].camera.toString: unknown key (allowed: from, to, easing, keyframes)',
      'tracks[0].clips[0].__proto__: unknown key (allowed: id, start, transform, transitionIn, transitionOut, adjust, depth, motionBlur, type, src, duration, fit, camera, depthMap)',
    ]);
  });

  it('rejects values of every wrong JSON type without throwing', () => {
    for (const value of [null, 0, 'timeline', true, [], [{}]]) {
      const result = validateTimeline(value);
      expect(result.ok).toBe(false);
    }
  });
});
