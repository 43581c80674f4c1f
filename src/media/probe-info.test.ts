import { describe, expect, it } from 'vitest';
import {
  type FfprobeOutput,
  ffprobeOutputSchema,
  normaliseRotation,
  parseRate,
  pixFmtHasAlpha,
  streamRotation,
  toMediaInfo,
} from './probe-info.js';

const MP4 = ffprobeOutputSchema.parse({
  streams: [
    {
      index: 0,
      codec_name: 'h264',
      codec_type: 'video',
      width: 64,
      height: 36,
      sample_aspect_ratio: '1:1',
      pix_fmt: 'yuv420p',
      r_frame_rate: '30/1',
      avg_frame_rate: '30/1',
      nb_frames: '30',
      duration: '1.000000',
      disposition: { default: 1, attached_pic: 0 },
      tags: { language: 'und' },
      side_data_list: [{ side_data_type: 'Display Matrix', displaymatrix: '...', rotation: -90 }],
      extra_field: { ignored: true },
    },
    { index: 1, codec_name: 'aac', codec_type: 'audio', sample_rate: '48000', channels: 2, duration: '0.99' },
    { index: 2, codec_type: 'data', tags: { handler_name: 'x' } },
  ],
  format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '1.000000', size: '14504' },
});

describe('toMediaInfo', () => {
  it('describes a rotated video with audio', () => {
    expect(toMediaInfo(MP4, '/m/v.mp4', 0)).toEqual({
      path: '/m/v.mp4',
      formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
      durationSec: 1,
      sizeBytes: 14504,
      video: {
        codec: 'h264',
        width: 64,
        height: 36,
        displayWidth: 36,
        displayHeight: 64,
        rotation: 90,
        fps: 30,
        frameCount: 30,
        pixFmt: 'yuv420p',
        hasAlpha: false,
        isStillImage: false,
      },
      audio: { codec: 'aac', sampleRate: 48000, channels: 2, durationSec: 0.99 },
      streams: [
        { index: 0, type: 'video', codec: 'h264' },
        { index: 1, type: 'audio', codec: 'aac' },
        { index: 2, type: 'data', codec: null },
      ],
    });
  });

  it('treats a PNG as a still image with alpha and no duration', () => {
    const png: FfprobeOutput = ffprobeOutputSchema.parse({
      streams: [
        {
          index: 0,
          codec_name: 'png',
          codec_type: 'video',
          width: 8,
          height: 4,
          pix_fmt: 'rgba',
          avg_frame_rate: '0/0',
          r_frame_rate: '25/1',
        },
      ],
      format: { format_name: 'png_pipe' },
    });
    const info = toMediaInfo(png, 'a.png', 177);
    expect(info).toMatchObject({ durationSec: null, sizeBytes: 177, audio: null });
    expect(info.video).toMatchObject({ isStillImage: true, hasAlpha: true, fps: 25, frameCount: null });
  });

  it('ignores cover art and applies a non-square sample aspect ratio', () => {
    const out = ffprobeOutputSchema.parse({
      streams: [
        { index: 0, codec_type: 'audio', codec_name: 'mp3', sample_rate: '44100', channels: 2 },
        {
          index: 1,
          codec_type: 'video',
          codec_name: 'mjpeg',
          width: 10,
          height: 10,
          disposition: { attached_pic: 1 },
        },
      ],
      format: { format_name: 'mp3', duration: '3.5' },
    });
    expect(toMediaInfo(out, 'a.mp3', 1)).toMatchObject({ video: null, audio: { durationSec: 3.5 } });
    const dv = ffprobeOutputSchema.parse({
      streams: [
        {
          index: 0,
          codec_type: 'video',
          codec_name: 'dvvideo',
          width: 720,
          height: 480,
          sample_aspect_ratio: '32:27',
        },
      ],
      format: { format_name: 'dv' },
    });
    expect(toMediaInfo(dv, 'a.dv', 1).video).toMatchObject({
      displayWidth: 853,
      displayHeight: 480,
      fps: null,
    });
  });

  it('rejects output without a format through the schema', () => {
    expect(ffprobeOutputSchema.safeParse({ streams: [] }).success).toBe(false);
  });
});

describe('helpers', () => {
  it('parseRate', () => {
    expect(parseRate('30000/1001')).toBeCloseTo(29.97, 2);
    expect(parseRate('25')).toBe(25);
    expect(parseRate('0/0')).toBeNull();
    expect(parseRate('1/0')).toBeNull();
    expect(parseRate(undefined)).toBeNull();
    expect(parseRate('N/A')).toBeNull();
  });

  it('normaliseRotation', () => {
    expect([0, 90, -90, 180, -180, 270, 360, 450, 89.6, -270].map(normaliseRotation)).toEqual([
      0, 90, 270, 180, 180, 270, 0, 90, 90, 90,
    ]);
  });

  it('streamRotation reads the display matrix (counter-clockwise) before the legacy tag (clockwise)', () => {
    expect(streamRotation({ index: 0, side_data_list: [{ rotation: 90 }], tags: { rotate: '90' } })).toBe(
      270,
    );
    expect(streamRotation({ index: 0, tags: { rotate: '90' } })).toBe(90);
    expect(streamRotation({ index: 0 })).toBe(0);
  });

  it('pixFmtHasAlpha', () => {
    for (const f of ['rgba', 'bgra', 'yuva420p', 'yuva444p10le', 'gbrap', 'ya8', 'argb'])
      expect(pixFmtHasAlpha(f)).toBe(true);
    for (const f of ['yuv420p', 'rgb24', 'gray', 'pal8', 'yuvj444p']) expect(pixFmtHasAlpha(f)).toBe(false);
    expect(pixFmtHasAlpha(null)).toBe(false);
  });
});
