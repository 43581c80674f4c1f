import { describe, expect, it } from 'vitest';
import { isReelforgeError } from '../../errors.js';
import { formatSegments, parsePath, pathsOverlap, setAtPath } from './json-path.js';

function problem(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isReelforgeError(e, 'PREVIEW_PATH_INVALID')) return e.message;
    throw e;
  }
  throw new Error('expected PREVIEW_PATH_INVALID');
}

describe('parsePath', () => {
  it('reads dotted keys and indices', () => {
    expect(parsePath('params.cameraSpeed')).toEqual(['params', 'cameraSpeed']);
    expect(parsePath('tracks[0].clips[12].opacity')).toEqual(['tracks', 0, 'clips', 12, 'opacity']);
    expect(formatSegments(parsePath('tracks[0].clips[2]'))).toBe('tracks[0].clips[2]');
  });

  it('refuses malformed paths, naming the place', () => {
    expect(problem(() => parsePath('params..x'))).toContain('character 8');
    expect(problem(() => parsePath('[0]'))).toContain('field name');
    expect(problem(() => parsePath('tracks[01]'))).toContain('tracks[01]');
    expect(problem(() => parsePath('tracks[-1]'))).toContain('tracks[-1]');
    expect(problem(() => parsePath('a.b c'))).toContain('character 4');
  });

  it('refuses keys that reach the prototype', () => {
    expect(problem(() => parsePath('__proto__.polluted'))).toContain('"__proto__" is not a timeline field');
    expect(problem(() => parsePath('params.constructor.prototype'))).toContain('constructor');
  });
});

describe('setAtPath', () => {
  const doc = () => ({ params: { cameraSpeed: 1 }, tracks: [{ clips: [{ opacity: 1 }, { opacity: 0.5 }] }] });

  it('sets a nested field and a list item', () => {
    const d = doc();
    setAtPath(d, parsePath('tracks[0].clips[1].opacity'), 0.25);
    setAtPath(d, parsePath('params.cameraSpeed'), 2);
    expect(d.tracks[0]!.clips[1]!.opacity).toBe(0.25);
    expect(d.params.cameraSpeed).toBe(2);
  });

  it('creates missing objects on the way, and null removes a field', () => {
    const d: Record<string, unknown> = doc();
    setAtPath(d, parsePath('params.depthOfField.strength'), 0.3);
    expect(d.params).toEqual({ cameraSpeed: 1, depthOfField: { strength: 0.3 } });
    setAtPath(d, parsePath('params.depthOfField'), null);
    expect(d.params).toEqual({ cameraSpeed: 1 });
  });

  it('refuses steps that lead nowhere', () => {
    expect(problem(() => setAtPath(doc(), parsePath('tracks[3].clips[0].opacity'), 1))).toContain(
      'tracks[3] does not exist (the list has 1 items)',
    );
    expect(problem(() => setAtPath(doc(), parsePath('params.cameraSpeed.x'), 1))).toContain(
      'params.cameraSpeed is not an object',
    );
    expect(problem(() => setAtPath(doc(), parsePath('tracks[0].clips[5]'), {}))).toContain('beyond its end');
  });

  it('copies the value, so later edits of the message do not reach the timeline', () => {
    const d = doc();
    const value = { opacity: 0.1 };
    setAtPath(d, parsePath('tracks[0].clips[0]'), value);
    value.opacity = 0.9;
    expect(d.tracks[0]!.clips[0]!.opacity).toBe(0.1);
  });
});

describe('pathsOverlap', () => {
  it('is true for a path, its parents and its children only', () => {
    expect(pathsOverlap('params', 'params.cameraSpeed')).toBe(true);
    expect(pathsOverlap('tracks[0].clips[1]', 'tracks[0]')).toBe(true);
    expect(pathsOverlap('params.grade', 'params.grade')).toBe(true);
    expect(pathsOverlap('params.grade', 'params.gradeX')).toBe(false);
    expect(pathsOverlap('tracks[1]', 'tracks[10]')).toBe(false);
  });
});
