import type { Timeline } from '../timeline/index.js';
import type { Asset } from './asset-store.js';
import type { AssetKind } from './media-inspect.js';
import type { AssetRefProblem } from './storage-errors.js';

/**
 * Timelines kept by the server name their media as `asset:<id>` — never a path. These are the fields
 * of the timeline format that name a file; a unit test keeps the list in step with the schema.
 */
export const MEDIA_FIELDS = ['src', 'depthMap'] as const;

/** One media reference in a timeline: where it is, what it says, and what kind of media fits there. */
export interface MediaRef {
  path: string;
  value: string;
  /** Kinds of asset that fit; empty when no uploadable asset can fill the field yet. */
  accepts: readonly AssetKind[];
}

const ASSET_REF = /^asset:(a_[0-9a-z]{16})$/;

/** The asset id in `asset:<id>`, or null. */
export function assetIdOf(value: string): string | null {
  return ASSET_REF.exec(value)?.[1] ?? null;
}

/** Every media reference in a validated timeline, with its JSON path. */
export function collectMediaRefs(t: Timeline): MediaRef[] {
  const refs: MediaRef[] = [];
  t.tracks.forEach((track, ti) => {
    track.clips.forEach((clip, ci) => {
      const at = `tracks[${ti}].clips[${ci}]`;
      if (clip.type === 'image') {
        refs.push({ path: `${at}.src`, value: clip.src, accepts: ['image'] });
        if (clip.depthMap !== undefined)
          refs.push({ path: `${at}.depthMap`, value: clip.depthMap, accepts: ['image'] });
      } else if (clip.type === 'video') {
        refs.push({ path: `${at}.src`, value: clip.src, accepts: ['video'] });
      } else if (clip.type === 'audio') {
        refs.push({ path: `${at}.src`, value: clip.src, accepts: ['audio', 'video'] });
      }
    });
  });
  // LUT files are text, not media: the library cannot hold them yet.
  if (t.grade?.lut) refs.push({ path: 'grade.lut.src', value: t.grade.lut.src, accepts: [] });
  return refs;
}

/**
 * Checks each reference against the owner's assets: the `asset:<id>` form, existence, and kind. Returns
 * every problem and the ids of the assets used.
 */
export function checkMediaRefs(
  refs: readonly MediaRef[],
  lookup: (id: string) => Asset | undefined,
): { problems: AssetRefProblem[]; assetIds: string[] } {
  const problems: AssetRefProblem[] = [];
  const assetIds = new Set<string>();
  for (const ref of refs) {
    if (ref.accepts.length === 0) {
      problems.push({ path: ref.path, message: 'files of this kind cannot be uploaded to the server yet' });
      continue;
    }
    const id = assetIdOf(ref.value);
    if (id === null) {
      problems.push({
        path: ref.path,
        message: `expected "asset:<id>" naming an uploaded asset (POST /assets), got ${JSON.stringify(ref.value.slice(0, 100))}`,
      });
      continue;
    }
    const asset = lookup(id);
    if (!asset) {
      problems.push({ path: ref.path, message: `no asset ${id} in this library` });
      continue;
    }
    if (!ref.accepts.includes(asset.kind)) {
      problems.push({
        path: ref.path,
        message: `asset ${id} is ${asset.kind === 'image' ? 'an' : 'a'} ${asset.kind}; expected ${ref.accepts.join(' or ')}`,
      });
      continue;
    }
    assetIds.add(id);
  }
  return { problems, assetIds: [...assetIds] };
}

/** A copy of the timeline with each media reference replaced by `resolve(ref)` (a local file path). */
export function withMediaPaths(t: Timeline, resolve: (ref: MediaRef) => string): Timeline {
  const copy = structuredClone(t);
  copy.tracks.forEach((track, ti) => {
    track.clips.forEach((clip, ci) => {
      const at = `tracks[${ti}].clips[${ci}]`;
      if (clip.type === 'image') {
        clip.src = resolve({ path: `${at}.src`, value: clip.src, accepts: ['image'] });
        if (clip.depthMap !== undefined)
          clip.depthMap = resolve({ path: `${at}.depthMap`, value: clip.depthMap, accepts: ['image'] });
      } else if (clip.type === 'video' || clip.type === 'audio') {
        clip.src = resolve({ path: `${at}.src`, value: clip.src, accepts: [] });
      }
    });
  });
  if (copy.grade?.lut)
    copy.grade.lut.src = resolve({ path: 'grade.lut.src', value: copy.grade.lut.src, accepts: [] });
  return copy;
}
