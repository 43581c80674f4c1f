import { describe, expect, expectTypeOf, it } from 'vitest';
import type {
  CameraState,
  Clip,
  EncoderSettings,
  Timeline,
  TimelineProblem,
  TimelineValidation,
} from './index.js';
import * as timeline from './index.js';

describe('the public surface of src/timeline', () => {
  it('exports the functions other folders use', () => {
    for (const name of [
      'timelineSchema',
      'parseTimeline',
      'parseTimelineJson',
      'validateTimeline',
      'checkTimelineMedia',
      'assertTimelineMedia',
      'formatProblem',
      'valueAt',
      'cameraAt',
      'transitionWindow',
      'transitionProgress',
      'adjustFor',
      'ease',
      'cubicBezierAt',
      'frameCount',
      'frameTime',
      'frameAt',
      'fpsRational',
      'timelineDuration',
      'clipEnd',
      'encoderSettings',
      'qualityProfiles',
      'timelineJsonSchema',
    ]) {
      expect(typeof (timeline as Record<string, unknown>)[name], name).not.toBe('undefined');
    }
  });

  it('types the contract', () => {
    expectTypeOf(timeline.parseTimeline).parameters.toEqualTypeOf<
      [unknown, ({ source?: string } | undefined)?]
    >();
    expectTypeOf(timeline.parseTimeline).returns.toEqualTypeOf<Timeline>();
    expectTypeOf(timeline.validateTimeline).returns.toEqualTypeOf<TimelineValidation>();
    expectTypeOf<Extract<TimelineValidation, { ok: false }>['problems']>().toEqualTypeOf<TimelineProblem[]>();
    expectTypeOf(timeline.cameraAt).returns.toEqualTypeOf<CameraState>();
    expectTypeOf(timeline.encoderSettings).returns.toEqualTypeOf<EncoderSettings>();
    expectTypeOf<EncoderSettings>().toEqualTypeOf<Required<EncoderSettings>>();
    expectTypeOf(timeline.clipEnd).parameter(0).toEqualTypeOf<Clip>();
    expectTypeOf(timeline.frameTime).returns.toBeNumber();
  });
});
