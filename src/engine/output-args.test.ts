import { describe, expect, it } from 'vitest';
import { encoderSettings } from '../timeline/profiles.js';
import { buildEncoderArgs, buildVideoFileArgs, encoderArgs } from './encode.js';
import type { VideoEncoder } from './encoders.js';
import { concatList, gifOnePass, hlsArgs, imageSequenceArgs, joinArgs } from './output-args.js';

const standard = encoderSettings({ profile: 'standard' });
const enc = (
  name: string,
  codec: VideoEncoder['codec'],
  hardware: VideoEncoder['hardware'] = null,
): VideoEncoder => ({
  name,
  codec,
  hardware,
  device: hardware === 'vaapi' ? '/dev/dri/renderD128' : null,
});
const input = { width: 320, height: 180, fps: 30, alpha: false };

/** The value following `flag` in an argument list. */
const argAfter = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe('buildEncoderArgs (H.264/AAC, kept for existing callers)', () => {
  it('builds the same command as before', () => {
    const args = buildEncoderArgs({
      width: 160,
      height: 90,
      fps: 30,
      format: 'mp4',
      settings: standard,
      audioPath: '/t/a.wav',
      outPath: '/t/o.mp4',
    });
    expect(args).toEqual([
      ...['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', '160x90', '-r', '30', '-i', 'pipe:0'],
      ...['-i', '/t/a.wav', '-map', '0:v:0', '-map', '1:a:0', '-c:a', 'aac', '-b:a', '192k'],
      ...['-c:v', 'libx264', '-preset', 'medium', '-crf', '23', '-pix_fmt', 'yuv420p'],
      ...['-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv'],
      ...['-movflags', '+faststart', '-f', 'mp4', '-y', '/t/o.mp4'],
    ]);
  });
});

describe('encoderArgs', () => {
  it('puts each profile on the codec’s own CRF scale and maps the x264 preset to its speed setting', () => {
    const vp9 = encoderArgs(enc('libvpx-vp9', 'vp9'), encoderSettings({ profile: 'standard' }, 'vp9'));
    expect([
      argAfter(vp9, '-crf'),
      argAfter(vp9, '-b:v'),
      argAfter(vp9, '-cpu-used'),
      argAfter(vp9, '-pix_fmt'),
    ]).toEqual(['33', '0', '3', 'yuv420p']);
    const svt = encoderArgs(enc('libsvtav1', 'av1'), encoderSettings({ profile: 'economy' }, 'av1'));
    expect([argAfter(svt, '-crf'), argAfter(svt, '-preset')]).toEqual(['42', '10']);
    const x265 = encoderArgs(enc('libx265', 'h265'), encoderSettings({ profile: 'premium' }, 'h265'));
    expect([argAfter(x265, '-crf'), argAfter(x265, '-preset')]).toEqual(['25', 'slow']);
    const nvenc = encoderArgs(enc('h264_nvenc', 'h264', 'nvenc'), standard);
    expect([argAfter(nvenc, '-preset'), argAfter(nvenc, '-cq'), argAfter(nvenc, '-rc')]).toEqual([
      'p4',
      '23',
      'vbr',
    ]);
    const qsv = encoderArgs(enc('hevc_qsv', 'h265', 'qsv'), standard);
    expect([argAfter(qsv, '-global_quality'), argAfter(qsv, '-pix_fmt')]).toEqual(['23', 'nv12']);
  });

  it('keeps the alpha plane for transparent VP9 and tags every encode BT.709 limited range', () => {
    const args = encoderArgs(enc('libvpx-vp9', 'vp9'), standard, { alpha: true });
    expect(argAfter(args, '-pix_fmt')).toBe('yuva420p');
    for (const e of [enc('libx264', 'h264'), enc('libsvtav1', 'av1'), enc('h264_vaapi', 'h264', 'vaapi')]) {
      const a = encoderArgs(e, standard);
      expect([argAfter(a, '-colorspace'), argAfter(a, '-color_range')]).toEqual(['bt709', 'tv']);
    }
  });

  it('opens the VAAPI device before the input and uploads frames to it', () => {
    const args = buildVideoFileArgs({
      ...input,
      muxer: 'mp4',
      video: enc('h264_vaapi', 'h264', 'vaapi'),
      settings: standard,
      alpha: false,
      audio: null,
      outPath: '/t/o.mp4',
    });
    expect(args.slice(0, 2)).toEqual(['-vaapi_device', '/dev/dri/renderD128']);
    expect(argAfter(args, '-vf')).toBe('format=nv12,hwupload');
  });
});

describe('container options', () => {
  it('tags H.265 hvc1 in MP4 and MOV, moves the index to the front except in chunks', () => {
    const spec = {
      ...input,
      muxer: 'mov',
      video: enc('libx265', 'h265'),
      settings: standard,
      alpha: false,
      audio: { path: '/t/a.wav', encoder: 'aac' },
      outPath: '/t/o.mov',
    };
    const full = buildVideoFileArgs(spec);
    expect(argAfter(full, '-tag:v')).toBe('hvc1');
    expect(argAfter(full, '-movflags')).toBe('+faststart');
    const chunk = buildVideoFileArgs({ ...spec, audio: null, faststart: false });
    expect(chunk).not.toContain('-movflags');
    expect(chunk).not.toContain('1:a:0');
    const webm = buildVideoFileArgs({ ...spec, muxer: 'webm', video: enc('libvpx-vp9', 'vp9') });
    expect(webm).not.toContain('-tag:v');
    expect(webm).not.toContain('-movflags');
  });
});

describe('image sequences, GIF and HLS', () => {
  it('numbers images by frame index and converts BT.709 to what each file format expects', () => {
    const png = imageSequenceArgs(
      { ...input, alpha: true },
      { extension: '.png', settings: standard, pattern: '/t/x/x-%05d.png', firstFrame: 15 },
    );
    expect(argAfter(png, '-pix_fmt')).toBe('yuva420p');
    expect(argAfter(png, '-vf')).toMatch(/in_color_matrix=bt709:in_range=tv.*format=rgba$/);
    expect(argAfter(png, '-start_number')).toBe('15');
    expect(png.at(-1)).toBe('/t/x/x-%05d.png');
    const jpeg = imageSequenceArgs(input, {
      extension: '.jpg',
      settings: standard,
      pattern: '/t/x-%05d.jpg',
      firstFrame: 0,
    });
    expect(argAfter(jpeg, '-vf')).toMatch(/out_color_matrix=bt601:out_range=pc,format=yuvj420p$/);
    expect(argAfter(jpeg, '-q:v')).toBe('4');
  });

  it('makes a GIF’s palette in the same pass only while its frames fit in memory', () => {
    expect(gifOnePass(300, 480, 270)).toBe(true);
    expect(gifOnePass(900, 1920, 1080)).toBe(false);
  });

  it('writes HLS with a keyframe at every segment start; H.265 in fragmented MP4', () => {
    const o = {
      video: enc('libx264', 'h264'),
      settings: standard,
      audio: { path: '/t/a.wav', encoder: 'aac' },
      folder: '/t/hls',
    };
    const ts = hlsArgs(input, o);
    expect(argAfter(ts, '-force_key_frames')).toBe('expr:gte(t,n_forced*4)');
    expect(argAfter(ts, '-hls_playlist_type')).toBe('vod');
    expect(argAfter(ts, '-hls_segment_filename')).toBe('/t/hls/segment-%05d.ts');
    expect(ts.at(-1)).toBe('/t/hls/index.m3u8');
    const fmp4 = hlsArgs(input, { ...o, video: enc('libx265', 'h265') });
    expect(argAfter(fmp4, '-hls_segment_type')).toBe('fmp4');
    expect(argAfter(fmp4, '-hls_segment_filename')).toBe('/t/hls/segment-%05d.m4s');
  });
});

describe('joining chunks', () => {
  it('lists each chunk with a length in whole microseconds that add up to the exact starts', () => {
    const third = 1001 / 30000;
    const list = concatList([
      { file: 'chunk-00000.mp4', startSec: 0, endSec: 10 * third },
      { file: 'chunk-00001.mp4', startSec: 10 * third, endSec: 20 * third },
      { file: 'chunk-00002.mp4', startSec: 20 * third, endSec: 31 * third },
    ]);
    expect(list).toBe(
      [
        'ffconcat version 1.0',
        "file 'chunk-00000.mp4'",
        'duration 0.333667',
        "file 'chunk-00001.mp4'",
        'duration 0.333666',
        "file 'chunk-00002.mp4'",
        'duration 0.367034',
        '',
      ].join('\n'),
    );
  });

  it('copies the video and encodes the one mix of the sound', () => {
    const args = joinArgs({
      listFile: 'list.ffconcat',
      muxer: 'mp4',
      codec: 'h264',
      audio: { path: '/t/a.wav', encoder: 'aac' },
      settings: standard,
      outPath: '/t/o.mp4',
    });
    expect(args.slice(0, 4)).toEqual(['-f', 'concat', '-i', 'list.ffconcat']);
    expect(argAfter(args, '-c:v')).toBe('copy');
    expect(argAfter(args, '-c:a')).toBe('aac');
    expect(args).not.toContain('-safe');
  });
});
