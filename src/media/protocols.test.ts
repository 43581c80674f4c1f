import { describe, expect, it } from 'vitest';
import { isReelforgeError } from '../errors.js';
import {
  assertSafeInputArgs,
  findRefusal,
  isRefusedInputFormat,
  protocolList,
  withInputProtocols,
} from './protocols.js';

const P = ['file', 'pipe'];

describe('withInputProtocols', () => {
  it('inserts the allow-list right before every -i', () => {
    expect(
      withInputProtocols(['-ss', '1', '-i', 'a.mp4', '-i', 'b.wav', '-map', '0:v', 'out.mp4'], P),
    ).toEqual([
      ...['-ss', '1', '-protocol_whitelist', 'file,pipe', '-i', 'a.mp4'],
      ...['-protocol_whitelist', 'file,pipe', '-i', 'b.wav', '-map', '0:v', 'out.mp4'],
    ]);
  });

  it('leaves lavfi inputs alone but not the inputs after them', () => {
    const args = ['-f', 'lavfi', '-i', 'testsrc2', '-f', 'rawvideo', '-i', 'pipe:0', 'o.mp4'];
    expect(withInputProtocols(args, P)).toEqual([
      ...['-f', 'lavfi', '-i', 'testsrc2'],
      ...['-f', 'rawvideo', '-protocol_whitelist', 'file,pipe', '-i', 'pipe:0', 'o.mp4'],
    ]);
  });

  it('does not treat an -f lavfi of an earlier input as applying to a later one', () => {
    const out = withInputProtocols(['-f', 'lavfi', '-i', 'sine', '-i', 'x.mp4'], P);
    expect(out.slice(4)).toEqual(['-protocol_whitelist', 'file,pipe', '-i', 'x.mp4']);
  });

  it('treats an input path equal to "-i" as a value, not an option', () => {
    expect(withInputProtocols(['-i', '-i', 'o.mp4'], P)).toEqual([
      '-protocol_whitelist',
      'file,pipe',
      '-i',
      '-i',
      'o.mp4',
    ]);
  });

  it('returns a new array and handles lists without inputs', () => {
    const args = ['-version'];
    expect(withInputProtocols(args, P)).not.toBe(args);
    expect(withInputProtocols(args, P)).toEqual(['-version']);
  });

  it('refuses an empty or malformed protocol list', () => {
    expect(() => protocolList([])).toThrow(/media.protocols/);
    expect(() => withInputProtocols(['-i', 'x'], ['file,http'])).toThrow(/media.protocols/);
  });
});

describe('assertSafeInputArgs', () => {
  const refused = (args: string[]) => {
    try {
      assertSafeInputArgs(args);
      return false;
    } catch (e) {
      return isReelforgeError(e, 'MEDIA_PROTOCOL_REFUSED');
    }
  };

  it('refuses options that switch off demuxer safety or bring their own allow-list', () => {
    expect(refused(['-f', 'concat', '-safe', '0', '-i', 'list.txt'])).toBe(true);
    expect(refused(['-allowed_extensions', 'ALL', '-i', 'a.m3u8'])).toBe(true);
    expect(refused(['-allowed_segment_extensions', 'all', '-i', 'a.m3u8'])).toBe(true);
    expect(refused(['-enable_drefs', '1', '-i', 'a.mov'])).toBe(true);
    expect(refused(['-protocol_whitelist', 'file,http', '-i', 'a.mp4'])).toBe(true);
  });

  it('accepts ordinary arguments, including safe=1 concat', () => {
    expect(refused(['-f', 'concat', '-safe', '1', '-i', 'list.txt', '-c', 'copy', 'o.mp4'])).toBe(false);
    expect(refused(['-i', 'a.mp4', '-vf', 'scale=64:-2', 'o.mp4'])).toBe(false);
  });
});

describe('findRefusal', () => {
  it('recognises each refusal ffmpeg 5.1 prints', () => {
    expect(findRefusal("[http @ 0x1] [error] Protocol 'http' not on whitelist 'file,pipe'!")).toMatch(
      /"http"/,
    );
    expect(findRefusal("[concat @ 0x1] [error] Unsafe file name '/etc/passwd'")).toMatch(/\/etc\/passwd/);
    expect(
      findRefusal('[hls @ 0x1] [error] URL file:/etc/passwd is not in allowed_segment_extensions'),
    ).toMatch(/file:\/etc\/passwd/);
    expect(
      findRefusal(
        "Filename extension of '/etc/passwd' is not a common multimedia extension, blocked for security reasons.",
      ),
    ).toMatch(/playlist/);
    expect(findRefusal("Format not on whitelist 'mov'")).toMatch(/format/);
  });

  it('returns null for ordinary failures', () => {
    expect(findRefusal('[error] in.mp4: No such file or directory')).toBeNull();
    expect(findRefusal('')).toBeNull();
  });
});

describe('isRefusedInputFormat', () => {
  it('refuses playlist and list formats, accepts media formats', () => {
    for (const f of ['hls', 'concat', 'dash', 'sdp', 'applehttp']) expect(isRefusedInputFormat(f)).toBe(true);
    for (const f of ['mov,mp4,m4a,3gp,3g2,mj2', 'matroska,webm', 'png_pipe', 'wav', 'image2']) {
      expect(isRefusedInputFormat(f)).toBe(false);
    }
  });
});
