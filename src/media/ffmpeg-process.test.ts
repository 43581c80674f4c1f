import { describe, expect, it } from 'vitest';
import { buildFfmpegArgs, buildFfprobeArgs } from './ffmpeg-process.js';

const P = ['file', 'pipe'];

describe('buildFfmpegArgs', () => {
  it('adds quiet global flags, -nostdin and the allow-list', () => {
    expect(
      buildFfmpegArgs(['-i', 'a.mp4', '-f', 'null', '-'], { protocols: P, stdin: false, progress: false }),
    ).toEqual([
      ...['-hide_banner', '-nostats', '-loglevel', 'level+warning', '-nostdin'],
      ...['-protocol_whitelist', 'file,pipe', '-i', 'a.mp4', '-f', 'null', '-'],
    ]);
  });

  it('reads stdin without -nostdin and reports progress on fd 3', () => {
    const args = buildFfmpegArgs(['-i', 'pipe:0', 'o.mp4'], { protocols: P, stdin: true, progress: true });
    expect(args).not.toContain('-nostdin');
    expect(args.slice(4, 6)).toEqual(['-progress', 'pipe:3']);
  });

  it('refuses unsafe input options before anything runs', () => {
    expect(() =>
      buildFfmpegArgs(['-f', 'concat', '-safe', '0', '-i', 'l.txt'], {
        protocols: P,
        stdin: false,
        progress: false,
      }),
    ).toThrow(/-safe 0/);
  });
});

describe('buildFfprobeArgs', () => {
  it('puts the allow-list ahead of the caller arguments', () => {
    expect(buildFfprobeArgs(['-show_format', '-i', 'x.mp4'], ['file'])).toEqual([
      ...['-hide_banner', '-loglevel', 'level+error', '-protocol_whitelist', 'file'],
      ...['-show_format', '-i', 'x.mp4'],
    ]);
  });
});
