import type { LookName } from '../../timeline/schema.js';
import type { GradeSpec } from './stage.js';

/**
 * The named looks, as data in the same terms as the timeline's `grade` object (plus a channel
 * mixer and a split-tone, which only looks use). docs/timeline.md describes each; the golden frames
 * in test/golden/grade-look-*.png show them.
 */
export const looks: Readonly<Record<LookName, GradeSpec>> = {
  neutral: {},
  /** Golden-hour warmth: amber balance, a touch of magenta, warmer highlights, livelier muted colours. */
  warm: {
    temperature: 0.35,
    tint: 0.05,
    vibrance: 0.1,
    splitTone: { highlights: { hue: 40, amount: 0.06 } },
  },
  /** Overcast or night: blue balance, blue-tinted shadows, slightly muted. */
  cool: {
    temperature: -0.35,
    tint: -0.03,
    saturation: 0.92,
    splitTone: { shadows: { hue: 215, amount: 0.08 } },
  },
  /** The blockbuster complementary grade: teal shadows, orange highlights, a gentle S-curve. */
  'teal-orange': {
    splitTone: { shadows: { hue: 188, amount: 0.15 }, highlights: { hue: 28, amount: 0.12 } },
    vibrance: 0.2,
    curves: {
      master: [
        [0.25, 0.21],
        [0.75, 0.79],
      ],
    },
  },
  /** Black and white through a red-orange filter (brighter skin, darker skies), crushed and contrasty. */
  noir: {
    mix: [
      [0.45, 0.45, 0.1],
      [0.45, 0.45, 0.1],
      [0.45, 0.45, 0.1],
    ],
    lift: -0.02,
    gain: 1.04,
    curves: {
      master: [
        [0.2, 0.13],
        [0.5, 0.5],
        [0.8, 0.88],
      ],
    },
  },
  /** Faded print: lifted blacks and dimmed whites, muted colours, green-tinted shadows, warm highlights. */
  vintage: {
    temperature: 0.12,
    saturation: 0.75,
    curves: {
      master: [
        [0, 0.08],
        [0.5, 0.51],
        [1, 0.93],
      ],
      b: [
        [0, 0.04],
        [1, 0.94],
      ],
    },
    splitTone: { shadows: { hue: 160, amount: 0.05 }, highlights: { hue: 45, amount: 0.1 } },
  },
  /** Skipped bleach in the print: silver kept, so colour is washed out and contrast is hard. */
  'bleach-bypass': {
    saturation: 0.35,
    gain: 1.03,
    curves: {
      master: [
        [0.15, 0.06],
        [0.5, 0.5],
        [0.85, 0.95],
      ],
    },
  },
};
