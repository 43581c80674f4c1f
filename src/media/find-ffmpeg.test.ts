import { describe, expect, it } from 'vitest';
import { parseVersionOutput } from './find-ffmpeg.js';

describe('parseVersionOutput', () => {
  it('reads distribution and release builds', () => {
    expect(
      parseVersionOutput('ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers\n'),
    ).toEqual({ version: '5.1.9-0+deb12u1', major: 5 });
    expect(parseVersionOutput('ffmpeg version n6.1.1 Copyright')).toEqual({ version: 'n6.1.1', major: 6 });
    expect(parseVersionOutput('ffmpeg version 4.4.2-0ubuntu0.22.04.1 Copyright')).toMatchObject({ major: 4 });
    expect(parseVersionOutput('ffprobe version 7.0 Copyright')).toMatchObject({ major: 7 });
  });

  it('falls back to libavformat for git builds', () => {
    const text =
      'ffmpeg version N-113290-g0123abcd-static https://x\nlibavutil      58. 29.100 / 58. 29.100\nlibavformat    60. 16.100 / 60. 16.100\n';
    expect(parseVersionOutput(text)).toEqual({ version: 'N-113290-g0123abcd-static', major: 6 });
    expect(parseVersionOutput('ffmpeg version git-2020 x\n')).toEqual({ version: 'git-2020', major: null });
  });

  it('returns null for something that is not ffmpeg', () => {
    expect(parseVersionOutput('hello world')).toBeNull();
  });
});
