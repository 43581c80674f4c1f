import type { Output, qualityProfileNames, VideoCodec, x264Presets } from './schema.js';

/** A quality profile's name: economy, standard, premium or ultra. */
export type QualityProfileName = (typeof qualityProfileNames)[number];

/** An x264 speed preset name. */
export type X264Preset = (typeof x264Presets)[number];

/** H.264 (x264) and AAC settings behind a quality profile. */
export interface QualityProfile {
  /** x264 constant rate factor: lower is better and larger (0 to 51). */
  crf: number;
  preset: X264Preset;
  audioBitrateKbps: number;
  description: string;
}

/** Encoder settings with the profile and every override resolved; nothing optional. */
export interface EncoderSettings {
  profile: QualityProfileName;
  crf: number;
  preset: X264Preset;
  audioBitrateKbps: number;
}

/** The quality profiles, from quick and small to slow and close to transparent. */
export const qualityProfiles: Readonly<Record<QualityProfileName, Readonly<QualityProfile>>> = Object.freeze({
  economy: Object.freeze({
    crf: 28,
    preset: 'veryfast',
    audioBitrateKbps: 128,
    description: 'Small files, fast encodes: drafts, previews to share, long screen recordings.',
  }),
  standard: Object.freeze({
    crf: 23,
    preset: 'medium',
    audioBitrateKbps: 192,
    description: "Good quality at a reasonable size; x264's own defaults. The right choice for most videos.",
  }),
  premium: Object.freeze({
    crf: 20,
    preset: 'slow',
    audioBitrateKbps: 256,
    description: 'Visibly cleaner gradients and motion; larger files and slower encodes than standard.',
  }),
  ultra: Object.freeze({
    crf: 17,
    preset: 'slower',
    audioBitrateKbps: 320,
    description: 'Close to visually lossless, for masters and further editing; large files and slow encodes.',
  }),
});

/**
 * Each profile's CRF on every codec's own scale, chosen for about the same visual quality as the
 * H.264 column: x265 needs about 5 more for the same look, VP9 and AV1 count to 63.
 */
export const codecCrf: Readonly<Record<VideoCodec, Readonly<Record<QualityProfileName, number>>>> =
  Object.freeze({
    h264: Object.freeze({
      economy: qualityProfiles.economy.crf,
      standard: qualityProfiles.standard.crf,
      premium: qualityProfiles.premium.crf,
      ultra: qualityProfiles.ultra.crf,
    }),
    h265: Object.freeze({ economy: 32, standard: 28, premium: 25, ultra: 22 }),
    vp9: Object.freeze({ economy: 40, standard: 33, premium: 28, ultra: 23 }),
    av1: Object.freeze({ economy: 42, standard: 35, premium: 30, ultra: 24 }),
  });

/**
 * Resolves `output.profile` and its overrides (`crf`, `preset`, `audioBitrate`) into one settings object.
 * `crf` is on `codec`'s scale (H.264 unless given); `preset` is an x264 name that other encoders map.
 */
export function encoderSettings(
  output: Pick<Output, 'crf' | 'preset' | 'audioBitrate'> & { profile?: QualityProfileName | undefined },
  codec: VideoCodec = 'h264',
): EncoderSettings {
  const profile = output.profile ?? 'standard';
  const base = qualityProfiles[profile];
  return {
    profile,
    crf: output.crf ?? codecCrf[codec][profile],
    preset: output.preset ?? base.preset,
    audioBitrateKbps: output.audioBitrate ?? base.audioBitrateKbps,
  };
}
