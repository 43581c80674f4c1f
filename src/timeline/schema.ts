import { z } from 'zod';

/**
 * Timeline format, version 1. Times are seconds; positions are fractions of the output frame
 * (0,0 top-left, 1,1 bottom-right) so that one timeline renders at any resolution.
 * Every object is strict: unknown keys are errors (validate.ts adds a did-you-mean).
 */

const seconds = z.number().finite().nonnegative();
const positiveSeconds = z.number().finite().positive();

export const colorSchema = z
  .string()
  .regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/, {
    message: 'expected a colour as #rgb, #rgba, #rrggbb or #rrggbbaa',
  });

export const easingNames = ['linear', 'ease', 'ease-in', 'ease-out', 'ease-in-out', 'hold'] as const;
export const easingSchema = z.union([
  z.enum(easingNames),
  z
    .object({ cubicBezier: z.tuple([z.number(), z.number(), z.number(), z.number()]) })
    .strict()
    .refine(
      (e) => e.cubicBezier[0] >= 0 && e.cubicBezier[0] <= 1 && e.cubicBezier[2] >= 0 && e.cubicBezier[2] <= 1,
      {
        message: 'cubicBezier x1 and x2 must lie in [0, 1]',
      },
    ),
]);
export type Easing = z.infer<typeof easingSchema>;

/** Reports the first keyframe whose `t` comes before the previous one, at that keyframe's `t`. */
function keyframesSorted(keys: readonly { t?: number | undefined }[], ctx: z.RefinementCtx): void {
  for (let i = 1; i < keys.length; i++) {
    const prev = keys[i - 1]?.t ?? 0;
    const t = keys[i]?.t ?? 0;
    if (t < prev) {
      ctx.addIssue({
        code: 'custom',
        path: [i, 't'],
        input: t,
        message: `keyframes must be sorted by t: ${t} comes after ${prev}`,
      });
      return;
    }
  }
}

/** A keyframe: `t` seconds from the clip's start; `easing` shapes the segment that starts here. */
export const keyframeSchema = z
  .object({ t: seconds, value: z.number().finite(), easing: easingSchema.optional() })
  .strict();
export type Keyframe = z.infer<typeof keyframeSchema>;

/** A number, or keyframes (sorted by `t`) for an animated value. */
export const animatableSchema = z.union([
  z.number().finite(),
  z.array(keyframeSchema).min(1).superRefine(keyframesSorted),
]);
export type Animatable = z.infer<typeof animatableSchema>;

/** Keyframes whose values lie in [min, max]. */
const boundedKeyframes = (min: number, max: number) =>
  z
    .array(keyframeSchema.extend({ value: z.number().min(min).max(max) }))
    .min(1)
    .superRefine(keyframesSorted);

/** A number from 0 to 1, or keyframes of such numbers (depth, focus). */
export const unitAnimatableSchema = z.union([z.number().min(0).max(1), boundedKeyframes(0, 1)]);

export const transformSchema = z
  .object({
    /** Where the clip's centre sits, as a fraction of the frame (0.5 = centre). */
    x: animatableSchema.default(0.5),
    y: animatableSchema.default(0.5),
    /** Multiplies the fitted size. */
    scale: animatableSchema.default(1),
    /** Degrees, clockwise. */
    rotation: animatableSchema.default(0),
    /** 0 to 1. */
    opacity: animatableSchema.default(1),
  })
  .strict();
export type Transform = z.infer<typeof transformSchema>;

/** A camera position inside a picture: `x`,`y` the point in view (fractions of the picture), `zoom` ≥ 1. */
export const cameraKeySchema = z
  .object({
    t: seconds.optional(),
    zoom: z.number().finite().min(1).max(20).default(1),
    x: z.number().min(0).max(1).default(0.5),
    y: z.number().min(0).max(1).default(0.5),
    easing: easingSchema.optional(),
  })
  .strict();

/** Ken Burns: `from` → `to` over the clip (with easing), or explicit keyframes. */
export const cameraSchema = z.union([
  z
    .object({
      from: cameraKeySchema.omit({ t: true, easing: true }).prefault({}),
      to: cameraKeySchema.omit({ t: true, easing: true }).prefault({}),
      easing: easingSchema.default('linear'),
    })
    .strict(),
  z
    .object({
      keyframes: z
        .array(cameraKeySchema.required({ t: true }))
        .min(1)
        .superRefine(keyframesSorted),
    })
    .strict(),
]);
export type Camera = z.infer<typeof cameraSchema>;

export const transitionTypes = ['crossfade', 'fade', 'slide', 'wipe', 'zoom', 'morph'] as const;
export const transitionSchema = z
  .object({
    type: z.enum(transitionTypes),
    /** Seconds at interpolation 1; scaled by params.interpolation (0 = hard cut at the middle). */
    duration: positiveSeconds,
    /** For `fade`: the colour faded through. */
    color: colorSchema.default('#000000'),
    /** For `slide` and `wipe`: where the clip enters from (or leaves towards). */
    direction: z.enum(['left', 'right', 'up', 'down']).default('left'),
    easing: easingSchema.default('ease-in-out'),
  })
  .strict();
export type Transition = z.infer<typeof transitionSchema>;

/** Basic colour adjustments, scaled by params.grade (0 = none, 1 = as written). */
export const adjustSchema = z
  .object({
    brightness: z.number().min(-1).max(1).default(0),
    contrast: z.number().min(0).max(4).default(1),
    saturation: z.number().min(0).max(4).default(1),
  })
  .strict();
export type Adjust = z.infer<typeof adjustSchema>;

const visualBase = {
  id: z.string().min(1).max(200).optional(),
  start: seconds,
  transform: transformSchema.prefault({}),
  transitionIn: transitionSchema.optional(),
  transitionOut: transitionSchema.optional(),
  adjust: adjustSchema.optional(),
  /** Depth of field: 0 near … 1 far (keyframes: the clip moves in depth); overrides the track's depth. */
  depth: unitAnimatableSchema.optional(),
  /** `false` keeps this clip sharp when params.motionBlur is on (titles, logos). */
  motionBlur: z.boolean().optional(),
};

const fitSchema = z.enum(['cover', 'contain', 'fill']);
const srcSchema = z.string().min(1).max(4096);

export const imageClipSchema = z
  .object({
    ...visualBase,
    type: z.literal('image'),
    src: srcSchema,
    duration: positiveSeconds,
    fit: fitSchema.default('cover'),
    camera: cameraSchema.optional(),
    /** A greyscale picture of the same scene, white near and black far: depth of field within the picture. */
    depthMap: srcSchema.optional(),
  })
  .strict();

/** A freeze frame: when the source reaches `at` (source seconds), its picture holds for `duration` seconds. */
export const freezeSchema = z.object({ at: seconds, duration: positiveSeconds }).strict();

export const videoClipSchema = z
  .object({
    ...visualBase,
    type: z.literal('video'),
    src: srcSchema,
    /** Seconds of the clip shown; defaults to what remains of the source after `trimStart` at `speed`. */
    duration: positiveSeconds.optional(),
    trimStart: seconds.default(0),
    trimEnd: positiveSeconds.optional(),
    speed: z.number().min(0.1).max(16).default(1),
    /** Keyframed speed (0–16) for the picture, replacing `speed`: a speed ramp. The sound keeps `speed`. */
    speedRamp: boundedKeyframes(0, 16).optional(),
    /** Freeze frames, in the order the source reaches them. The sound keeps playing. */
    freeze: z.array(freezeSchema).max(100).optional(),
    volume: z.number().min(0).max(4).default(1),
    muted: z.boolean().default(false),
    fit: fitSchema.default('cover'),
    camera: cameraSchema.optional(),
  })
  .strict()
  .superRefine((clip, ctx) => {
    // A ramp or a freeze changes how long the source lasts; the clip's length must then be written.
    if (clip.duration === undefined && (clip.speedRamp !== undefined || clip.freeze !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['duration'],
        input: undefined,
        message: `required with ${clip.speedRamp ? 'speedRamp' : 'freeze'}: the clip's length cannot follow from the source`,
      });
    }
  });

export const colorClipSchema = z
  .object({ ...visualBase, type: z.literal('color'), color: colorSchema, duration: positiveSeconds })
  .strict();

export const gradientClipSchema = z
  .object({
    ...visualBase,
    type: z.literal('gradient'),
    duration: positiveSeconds,
    gradient: z
      .object({
        kind: z.enum(['linear', 'radial']).default('linear'),
        /** Degrees for linear gradients: 0 = top to bottom, 90 = left to right. */
        angle: z.number().finite().default(0),
        stops: z.array(z.object({ offset: z.number().min(0).max(1), color: colorSchema }).strict()).min(2),
      })
      .strict(),
  })
  .strict();

export const textClipSchema = z
  .object({
    ...visualBase,
    type: z.literal('text'),
    text: z.string().min(1).max(5000),
    duration: positiveSeconds,
    font: z
      .object({
        family: z.string().min(1).default('DejaVu Sans'),
        /** Pixels at a 1080-pixel-high output; scaled with the output height. */
        size: z.number().positive().max(1000).default(64),
        weight: z.union([z.enum(['normal', 'bold']), z.number().int().min(100).max(900)]).default('normal'),
        style: z.enum(['normal', 'italic']).default('normal'),
      })
      .strict()
      .prefault({}),
    color: colorSchema.default('#ffffff'),
    align: z.enum(['left', 'center', 'right']).default('center'),
    verticalAlign: z.enum(['top', 'middle', 'bottom']).default('middle'),
    /** The text box as fractions of the frame; the text wraps inside it. */
    box: z
      .object({
        x: z.number().min(0).max(1).default(0.1),
        y: z.number().min(0).max(1).default(0.1),
        width: z.number().positive().max(1).default(0.8),
        height: z.number().positive().max(1).default(0.8),
      })
      .strict()
      .prefault({}),
    wrap: z.boolean().default(true),
    lineHeight: z.number().min(0.5).max(4).default(1.2),
    shadow: z
      .object({
        color: colorSchema.default('#000000b0'),
        blur: z.number().min(0).max(100).default(8),
        offsetX: z.number().default(2),
        offsetY: z.number().default(2),
      })
      .strict()
      .optional(),
    outline: z
      .object({ color: colorSchema.default('#000000'), width: z.number().positive().max(50).default(3) })
      .strict()
      .optional(),
    background: z
      .object({
        color: colorSchema.default('#000000a0'),
        padding: z.number().min(0).max(500).default(16),
        radius: z.number().min(0).max(500).default(8),
      })
      .strict()
      .optional(),
    fadeIn: seconds.default(0),
    fadeOut: seconds.default(0),
  })
  .strict();

export const audioClipSchema = z
  .object({
    id: z.string().min(1).max(200).optional(),
    type: z.literal('audio'),
    src: srcSchema,
    start: seconds,
    /** Seconds heard; defaults to the rest of the source (or, with `loop`, to the end of the video). */
    duration: positiveSeconds.optional(),
    trimStart: seconds.default(0),
    volume: z.number().min(0).max(4).default(1),
    fadeIn: seconds.default(0),
    fadeOut: seconds.default(0),
    loop: z.boolean().default(false),
    /** Lower this clip while the named track has sound (music under narration). */
    duck: z
      .object({
        track: z.string().min(1),
        /** Gain while ducked, 0 to 1. */
        level: z.number().min(0).max(1).default(0.3),
        attack: z.number().positive().max(5).default(0.1),
        release: z.number().positive().max(10).default(0.5),
      })
      .strict()
      .optional(),
  })
  .strict();

export const clipSchema = z.discriminatedUnion('type', [
  imageClipSchema,
  videoClipSchema,
  colorClipSchema,
  gradientClipSchema,
  textClipSchema,
  audioClipSchema,
]);

export const trackSchema = z
  .object({
    id: z.string().min(1).max(200).optional(),
    /** Depth of field: 0 near … 1 far. Default: the top visual track 0, the bottom one 1, evenly between. */
    depth: z.number().min(0).max(1).optional(),
    clips: z.array(clipSchema).max(10_000),
  })
  .strict();

export const qualityProfileNames = ['economy', 'standard', 'premium', 'ultra'] as const;
export const x264Presets = [
  'ultrafast',
  'superfast',
  'veryfast',
  'faster',
  'fast',
  'medium',
  'slow',
  'slower',
  'veryslow',
] as const;

/** What `output.format` can be: containers, a GIF, image sequences, HLS, and audio-only files. */
export const outputFormatNames = [
  'mp4',
  'mov',
  'mkv',
  'webm',
  'gif',
  'png-sequence',
  'jpeg-sequence',
  'hls',
  'm4a',
  'mp3',
  'opus',
  'wav',
] as const;
export type OutputFormat = (typeof outputFormatNames)[number];

/** Video codecs a container format can hold. */
export const videoCodecNames = ['h264', 'h265', 'vp9', 'av1'] as const;
export type VideoCodec = (typeof videoCodecNames)[number];

/** Hardware encoder families: `auto` uses one when present and working, `off` never does. */
export const hardwareNames = ['auto', 'off', 'nvenc', 'vaapi', 'qsv'] as const;
export type HardwareChoice = (typeof hardwareNames)[number];

/** The codecs each format accepts, the first being its default; empty when the format has no codec choice. */
export const formatCodecs: Readonly<Record<OutputFormat, readonly VideoCodec[]>> = Object.freeze({
  mp4: ['h264', 'h265', 'av1'],
  mov: ['h264', 'h265'],
  mkv: ['h264', 'h265', 'vp9', 'av1'],
  webm: ['vp9', 'av1'],
  hls: ['h264', 'h265'],
  gif: [],
  'png-sequence': [],
  'jpeg-sequence': [],
  m4a: [],
  mp3: [],
  opus: [],
  wav: [],
});

/** CRF scales: x264 and x265 go to 51, VP9 and AV1 to 63. */
const maxCrf: Readonly<Record<VideoCodec, number>> = { h264: 51, h265: 51, vp9: 63, av1: 63 };

/** Rules between output fields: codec against format, transparency, CRF against the codec's scale. */
function checkOutput(
  o: { format: OutputFormat; codec?: VideoCodec | undefined; alpha: boolean; crf?: number | undefined },
  ctx: z.RefinementCtx,
): void {
  const codecs = formatCodecs[o.format];
  const issue = (path: string, message: string, input: unknown) =>
    ctx.addIssue({ code: 'custom', path: [path], input, message });
  if (o.codec !== undefined && !codecs.includes(o.codec)) {
    issue(
      'codec',
      codecs.length === 0
        ? `format ${o.format} has no codec choice; leave codec out (codecs go with mp4, mov, mkv, webm and hls)`
        : `format ${o.format} holds ${codecs.slice(0, -1).join(', ')}${codecs.length > 1 ? ' or ' : ''}${codecs.at(-1)}, got ${o.codec}`,
      o.codec,
    );
  }
  const codec = o.codec ?? codecs[0];
  if (o.alpha && !(o.format === 'png-sequence' || (o.format === 'webm' && codec === 'vp9'))) {
    issue(
      'alpha',
      `transparency needs format webm with codec vp9, or png-sequence; got ${o.format}${codec ? ` with ${codec}` : ''}`,
      o.alpha,
    );
  }
  if (o.crf !== undefined && codec !== undefined && o.crf > maxCrf[codec]) {
    issue('crf', `${codec} takes a crf from 0 to ${maxCrf[codec]}, got ${o.crf}`, o.crf);
  }
}

export const outputSchema = z
  .object({
    width: z.number().int().min(16).max(7680).multipleOf(2, { message: 'expected an even number of pixels' }),
    height: z
      .number()
      .int()
      .min(16)
      .max(4320)
      .multipleOf(2, { message: 'expected an even number of pixels' }),
    fps: z.number().positive().max(240).default(30),
    /** Seconds; defaults to the end of the last clip. */
    duration: positiveSeconds.optional(),
    background: colorSchema.default('#000000'),
    format: z.enum(outputFormatNames).default('mp4'),
    /** Video codec; the format's default when left out (see formatCodecs). */
    codec: z.enum(videoCodecNames).optional(),
    /** A transparent video (webm with vp9, or png-sequence): `background` alpha shows through. */
    alpha: z.boolean().default(false),
    hardware: z.enum(hardwareNames).default('auto'),
    profile: z.enum(qualityProfileNames).default('standard'),
    /** Overrides of the profile's encoder settings; crf is on the codec's own scale. */
    crf: z.number().int().min(0).max(63).optional(),
    preset: z.enum(x264Presets).optional(),
    audioBitrate: z.number().int().min(32).max(512).optional(),
  })
  .strict()
  .superRefine(checkOutput);

/**
 * Global live parameters: one value changes the whole video by scaling the per-clip settings.
 * New parameters arrive as new optional keys with neutral defaults.
 */
/** Named colour looks (src/engine/grade/looks.ts), blended in by params.grade. */
export const lookNames = [
  'neutral',
  'warm',
  'cool',
  'teal-orange',
  'noir',
  'vintage',
  'bleach-bypass',
] as const;
export type LookName = (typeof lookNames)[number];

/** A number for all three channels, or [r, g, b]. */
const perChannel = (min: number, max: number, neutral: number) => {
  const n = z.number().min(min).max(max);
  return z.union([n, z.tuple([n, n, n])]).default(neutral);
};

/** Curve points [x, y] in 0–1, x strictly increasing; (0,0) and (1,1) are implied unless given. */
const curvePointsSchema = z
  .array(z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]))
  .min(1)
  .max(32)
  .superRefine((pts, ctx) => {
    for (let i = 1; i < pts.length; i++) {
      const prev = pts[i - 1]![0];
      const x = pts[i]![0];
      if (x <= prev) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 0],
          input: x,
          message: `curve points must have increasing x: ${x} comes after ${prev}`,
        });
        return;
      }
    }
  });

/** The timeline's colour grade (docs/timeline.md, "Colour grading"); every field neutral when left out. */
export const gradeSchema = z
  .object({
    lift: perChannel(-1, 1, 0),
    gamma: perChannel(0.1, 10, 1),
    gain: perChannel(0, 4, 1),
    temperature: z.number().min(-1).max(1).default(0),
    tint: z.number().min(-1).max(1).default(0),
    saturation: z.number().min(0).max(4).default(1),
    vibrance: z.number().min(-1).max(1).default(0),
    curves: z
      .object({
        master: curvePointsSchema.optional(),
        r: curvePointsSchema.optional(),
        g: curvePointsSchema.optional(),
        b: curvePointsSchema.optional(),
      })
      .strict()
      .optional(),
    /** A 3D LUT file (.cube), relative to the timeline's folder like other `src`. */
    lut: z
      .object({ src: srcSchema, strength: z.number().min(0).max(1).default(1) })
      .strict()
      .optional(),
    vignette: z
      .object({
        amount: z.number().min(0).max(1).default(0.3),
        radius: z.number().min(0).max(1.5).default(0.85),
        softness: z.number().min(0).max(1).default(0.6),
      })
      .strict()
      .optional(),
    grain: z
      .object({
        amount: z.number().min(0).max(1).default(0.3),
        /** Pixels at a 1080-pixel-high output; scaled with the output height. */
        size: z.number().min(1).max(10).default(1.5),
      })
      .strict()
      .optional(),
  })
  .strict();
export type ColorGrade = z.infer<typeof gradeSchema>;

export const paramsSchema = z
  .object({
    /** 0 = hard cuts, 1 = transitions as long as written. */
    interpolation: z.number().min(0).max(1).default(1),
    /** Multiplies how far every camera move travels: 0 = still, 1 = as written. */
    cameraSpeed: z.number().min(0).max(4).default(1),
    /** Scales every clip's colour adjustments and the grade (look, `grade` object): 0 = none, 1 = as written. */
    grade: z.number().min(0).max(1).default(1),
    /** A named look, blended in by `grade`. */
    look: z.enum(lookNames).default('neutral'),
    /** Motion blur as a shutter: 0 (default) = off, 0.5 = 180°, 1 = 360° (the whole frame interval). */
    motionBlur: z.number().min(0).max(1).optional(),
    /** Renders at this fraction of the output size (default 1) and scales up to it: fast drafts. */
    resolutionScale: z.number().min(0.1).max(1).optional(),
    /** Depth of field: layers blur with their distance from the focus plane. Absent = off. */
    depthOfField: z
      .object({
        enabled: z.boolean().default(true),
        /** The depth in focus, 0 near … 1 far; keyframes (t in timeline seconds) make a rack focus. */
        focus: unitAnimatableSchema.default(0),
        /** 0 = sharp everywhere, 1 = the strongest blur at a depth distance of 1. */
        strength: z.number().min(0).max(1).default(0.5),
      })
      .strict()
      .optional(),
  })
  .strict();
export type Params = z.infer<typeof paramsSchema>;

export const timelineSchema = z
  .object({
    version: z.literal(1).default(1),
    output: outputSchema,
    params: paramsSchema.prefault({}),
    /** Colour grade of the whole picture, blended in by params.grade. */
    grade: gradeSchema.optional(),
    tracks: z.array(trackSchema).min(1).max(100),
  })
  .strict();

export type Timeline = z.infer<typeof timelineSchema>;
export type TimelineInput = z.input<typeof timelineSchema>;
export type Track = z.infer<typeof trackSchema>;
export type Clip = z.infer<typeof clipSchema>;
export type ImageClip = z.infer<typeof imageClipSchema>;
export type VideoClip = z.infer<typeof videoClipSchema>;
export type ColorClip = z.infer<typeof colorClipSchema>;
export type GradientClip = z.infer<typeof gradientClipSchema>;
export type TextClip = z.infer<typeof textClipSchema>;
export type AudioClip = z.infer<typeof audioClipSchema>;
export type VisualClip = Exclude<Clip, AudioClip>;
export type Output = z.infer<typeof outputSchema>;
