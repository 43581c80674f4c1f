import { describe, expect, it } from 'vitest';
import { parseTimeline, timelineJsonSchema } from '../timeline/index.js';
import { assetIdOf, checkMediaRefs, collectMediaRefs, MEDIA_FIELDS, withMediaPaths } from './asset-refs.js';
import type { Asset } from './asset-store.js';

const A = 'a_0123456789abcdef';
const B = 'a_fedcba9876543210';
const asset = (id: string, kind: Asset['kind']) => ({ id, kind }) as Asset;

function timeline(extra: Record<string, unknown> = {}) {
  return parseTimeline({
    output: { width: 64, height: 36 },
    tracks: [
      { clips: [{ type: 'image', src: `asset:${A}`, start: 0, duration: 1, depthMap: `asset:${A}` }] },
      { clips: [{ type: 'audio', src: `asset:${B}`, start: 0 }] },
      { clips: [{ type: 'text', text: 'hi', start: 0, duration: 1 }] },
    ],
    ...extra,
  });
}

/** Property names whose values use the timeline's file-reference schema (a string of at most 4096). */
function fileFieldsOfSchema(node: unknown, name = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const n of node) fileFieldsOfSchema(n, name, out);
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o.type === 'string' && o.maxLength === 4096) out.add(name);
    for (const [k, v] of Object.entries(o)) {
      if (k === 'properties' && v && typeof v === 'object') {
        for (const [prop, schema] of Object.entries(v)) fileFieldsOfSchema(schema, prop, out);
      } else fileFieldsOfSchema(v, name, out);
    }
  }
  return out;
}

describe('media references in timelines', () => {
  it('covers every field of the timeline format that names a file', () => {
    expect([...fileFieldsOfSchema(timelineJsonSchema())].sort()).toEqual([...MEDIA_FIELDS].sort());
  });

  it('finds each reference with its JSON path and the kinds that fit', () => {
    expect(collectMediaRefs(timeline())).toEqual([
      { path: 'tracks[0].clips[0].src', value: `asset:${A}`, accepts: ['image'] },
      { path: 'tracks[0].clips[0].depthMap', value: `asset:${A}`, accepts: ['image'] },
      { path: 'tracks[1].clips[0].src', value: `asset:${B}`, accepts: ['audio', 'video'] },
    ]);
  });

  it('accepts the owner’s assets of the right kind', () => {
    const lookup = (id: string) => (id === A ? asset(A, 'image') : id === B ? asset(B, 'video') : undefined);
    expect(checkMediaRefs(collectMediaRefs(timeline()), lookup)).toEqual({ problems: [], assetIds: [A, B] });
  });

  it('reports paths, unknown assets, wrong kinds and LUT files, each with its JSON path', () => {
    const t = parseTimeline({
      output: { width: 64, height: 36 },
      grade: { lut: { src: 'looks/teal.cube' } },
      tracks: [
        {
          clips: [
            { type: 'image', src: '/etc/passwd', start: 0, duration: 1 },
            { type: 'image', src: `asset:${B}`, start: 1, duration: 1 },
            { type: 'video', src: `asset:${A}`, start: 2, duration: 1 },
          ],
        },
      ],
    });
    const { problems } = checkMediaRefs(collectMediaRefs(t), (id) =>
      id === A ? asset(A, 'image') : undefined,
    );
    expect(problems.map((p) => p.path)).toEqual([
      'tracks[0].clips[0].src',
      'tracks[0].clips[1].src',
      'tracks[0].clips[2].src',
      'grade.lut.src',
    ]);
    expect(problems[0]!.message).toContain('asset:<id>');
    expect(problems[1]!.message).toContain(`no asset ${B}`);
    expect(problems[2]!.message).toContain('is an image; expected video');
  });

  it('replaces references with paths in a copy', () => {
    const t = timeline();
    const resolved = withMediaPaths(t, (ref) => `/blobs/${assetIdOf(ref.value)}`);
    const clip = resolved.tracks[0]!.clips[0]!;
    expect(clip.type === 'image' && [clip.src, clip.depthMap]).toEqual([`/blobs/${A}`, `/blobs/${A}`]);
    const original = t.tracks[0]!.clips[0]!;
    expect(original.type === 'image' && original.src).toBe(`asset:${A}`);
  });

  it('reads asset ids only from the exact form', () => {
    expect(assetIdOf(`asset:${A}`)).toBe(A);
    for (const v of [`asset:${A}/..`, `asset:../${A}`, `ASSET:${A}`, A, `asset:a_short`])
      expect(assetIdOf(v)).toBeNull();
  });
});
