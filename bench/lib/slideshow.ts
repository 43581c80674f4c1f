import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TimelineInput } from '../../src/timeline/index.js';

/** The render benchmarks' timeline: its length and number of photos. */
export interface SlideshowOptions {
  seconds: number;
  photos: number;
}

const photoPath = (media: string, i: number) => join(media, `photo-${String(i).padStart(2, '0')}.jpg`);

/** Generates the photos (3000×2000) and the music into `media` unless they are there already. */
export function ensureSlideshowMedia(media: string, { seconds, photos }: SlideshowOptions): void {
  if (existsSync(photoPath(media, photos)) && existsSync(join(media, 'music.m4a'))) return;
  console.log(`generating ${photos} photos at 3000×2000 …`);
  const script = join(import.meta.dirname, '..', '..', 'scripts', 'make-media.mjs');
  const args = [
    '--photos',
    String(photos),
    '--width',
    '3000',
    '--height',
    '2000',
    '--music',
    String(seconds + 2),
  ];
  execFileSync('node', [script, media, ...args], { stdio: 'inherit' });
}

/**
 * A 1080p30 slideshow: photos of equal length with 1 s crossfades filling `seconds`, each with its own
 * camera move, a title, and music fading out; x264 preset medium, CRF 23.
 */
export function slideshowTimeline(media: string, { seconds, photos }: SlideshowOptions): TimelineInput {
  const overlap = 1;
  const each = (seconds + (photos - 1) * overlap) / photos;
  const clips = Array.from({ length: photos }, (_, i) => ({
    type: 'image' as const,
    src: photoPath(media, i + 1),
    start: i * (each - overlap),
    duration: each,
    camera: {
      from: { zoom: i % 2 ? 1.25 : 1, x: 0.4 + 0.05 * (i % 3), y: 0.5 },
      to: { zoom: i % 2 ? 1 : 1.25, x: 0.6 - 0.05 * (i % 3), y: 0.45 },
      easing: 'ease-in-out' as const,
    },
    ...(i > 0 ? { transitionIn: { type: 'crossfade' as const, duration: overlap } } : {}),
  }));
  return {
    output: { width: 1920, height: 1080, fps: 30, duration: seconds, preset: 'medium', crf: 23 },
    tracks: [
      { id: 'photos', clips },
      {
        id: 'titles',
        clips: [
          {
            type: 'text',
            text: 'Reelforge render benchmark',
            start: 0.5,
            duration: 4,
            font: { size: 96, weight: 'bold' },
            shadow: {},
            fadeIn: 0.5,
            fadeOut: 0.5,
          },
        ],
      },
      { id: 'music', clips: [{ type: 'audio', src: join(media, 'music.m4a'), start: 0, fadeOut: 2 }] },
    ],
  };
}
