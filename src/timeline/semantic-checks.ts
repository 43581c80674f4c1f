import { didYouMeanSuffix } from './did-you-mean.js';
import { joinPath, secondsText, type TimelineProblem } from './problems.js';
import type { Animatable, Camera, Clip, Timeline } from './schema.js';
import { clipDuration, setsLength } from './time.js';

/** Tolerance for sums of seconds and fractions written in decimal. */
const EPS = 1e-9;

/**
 * Checks what the schema cannot: references, uniqueness and values that only make sense together.
 * Runs on a timeline that already passed the schema, and reports every problem it finds.
 */
export function checkTimelineSemantics(timeline: Timeline): TimelineProblem[] {
  const problems: TimelineProblem[] = [];
  const trackIds = new Map<string, number>();
  const clipIds = new Map<string, string>();

  timeline.tracks.forEach((track, ti) => {
    if (track.id === undefined) return;
    const first = trackIds.get(track.id);
    if (first === undefined) trackIds.set(track.id, ti);
    else {
      problems.push({
        path: `tracks[${ti}].id`,
        message: `duplicate track id ${JSON.stringify(track.id)} (also used by tracks[${first}])`,
      });
    }
  });

  timeline.tracks.forEach((track, ti) => {
    track.clips.forEach((clip, ci) => {
      const at = `tracks[${ti}].clips[${ci}]`;
      if (clip.id !== undefined) {
        const first = clipIds.get(clip.id);
        if (first === undefined) clipIds.set(clip.id, at);
        else
          problems.push({
            path: `${at}.id`,
            message: `duplicate clip id ${JSON.stringify(clip.id)} (also used by ${first})`,
          });
      }
      problems.push(...checkClip(clip, at, track.id, trackIds));
    });
  });

  if (timeline.output.duration === undefined && !timeline.tracks.some((t) => t.clips.some(setsLength))) {
    problems.push({ path: 'output.duration', message: 'required when no clip sets the length' });
  }
  return problems;
}

function checkClip(
  clip: Clip,
  at: string,
  ownTrackId: string | undefined,
  trackIds: ReadonlyMap<string, number>,
): TimelineProblem[] {
  const problems: TimelineProblem[] = [];
  if (clip.type === 'video' && clip.trimEnd !== undefined && clip.trimEnd <= clip.trimStart) {
    problems.push({
      path: `${at}.trimEnd`,
      message: `expected trimEnd to be after trimStart (${secondsText(clip.trimStart)}), got ${clip.trimEnd}`,
      expected: `a number of seconds > ${clip.trimStart}`,
      received: String(clip.trimEnd),
    });
  }
  if (clip.type === 'audio' && clip.duck) {
    const name = clip.duck.track;
    const path = `${at}.duck.track`;
    if (!trackIds.has(name)) {
      const hint = didYouMeanSuffix(name, trackIds.keys());
      problems.push({ path, message: `no track has id ${JSON.stringify(name)}${hint}`, received: name });
    } else if (name === ownTrackId) {
      problems.push({ path, message: `a clip cannot duck under its own track ${JSON.stringify(name)}` });
    }
  }
  if (clip.type === 'text') problems.push(...checkTextBox(clip.box, at));

  // The rest needs the clip's length, which a video or audio clip may leave to its source.
  const duration =
    clip.type === 'video' && clip.trimEnd !== undefined && clip.trimEnd <= clip.trimStart
      ? undefined
      : clipDuration(clip);
  if (duration === undefined) return problems;
  if (clip.type !== 'audio') {
    for (const [key, value] of Object.entries(clip.transform)) {
      problems.push(...checkKeyframes(value, joinPath(at, 'transform', key), duration));
    }
    if ((clip.type === 'image' || clip.type === 'video') && clip.camera) {
      problems.push(...checkCamera(clip.camera, `${at}.camera`, duration));
    }
    const tin = clip.transitionIn?.duration ?? 0;
    const tout = clip.transitionOut?.duration ?? 0;
    if (tin + tout > duration + EPS) {
      const key = clip.transitionOut ? 'transitionOut' : 'transitionIn';
      const sum =
        clip.transitionIn && clip.transitionOut
          ? `transitionIn ${secondsText(tin)} + transitionOut ${secondsText(tout)} = `
          : `${key} `;
      problems.push({
        path: `${at}.${key}.duration`,
        message: `${sum}${secondsText(tin + tout)} is longer than the clip (${secondsText(duration)})`,
      });
    }
  }
  if ((clip.type === 'text' || clip.type === 'audio') && clip.fadeIn + clip.fadeOut > duration + EPS) {
    problems.push({
      path: `${at}.${clip.fadeOut > 0 ? 'fadeOut' : 'fadeIn'}`,
      message: `fadeIn ${secondsText(clip.fadeIn)} + fadeOut ${secondsText(clip.fadeOut)} is longer than the clip (${secondsText(duration)})`,
    });
  }
  return problems;
}

function keyframeBeyond(path: string, t: number, duration: number): TimelineProblem {
  return {
    path,
    message: `keyframe at ${secondsText(t)} is beyond the clip's duration of ${secondsText(duration)}`,
    expected: `a number of seconds ≤ ${duration}`,
    received: String(t),
  };
}

function checkKeyframes(value: Animatable, path: string, duration: number): TimelineProblem[] {
  if (typeof value === 'number') return [];
  return value.flatMap((k, i) =>
    k.t > duration + EPS ? [keyframeBeyond(`${path}[${i}].t`, k.t, duration)] : [],
  );
}

function checkCamera(camera: Camera, path: string, duration: number): TimelineProblem[] {
  if (!('keyframes' in camera)) return [];
  return camera.keyframes.flatMap((k, i) =>
    k.t > duration + EPS ? [keyframeBeyond(`${path}.keyframes[${i}].t`, k.t, duration)] : [],
  );
}

function checkTextBox(
  box: { x: number; y: number; width: number; height: number },
  at: string,
): TimelineProblem[] {
  const problems: TimelineProblem[] = [];
  for (const [pos, size] of [
    ['x', 'width'],
    ['y', 'height'],
  ] as const) {
    const end = box[pos] + box[size];
    if (end > 1 + EPS) {
      problems.push({
        path: `${at}.box`,
        message: `the text box leaves the frame: ${pos} ${box[pos]} + ${size} ${box[size]} = ${Number(end.toFixed(6))}, more than 1`,
      });
    }
  }
  return problems;
}
