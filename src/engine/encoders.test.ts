import { describe, expect, it } from 'vitest';
import { isReelforgeError, type ReelforgeError } from '../errors.js';
import type { EncoderInfo } from '../media/index.js';
import {
  availableFor,
  chooseAudioEncoder,
  chooseVideoEncoder,
  type HardwareKind,
  type HardwareProbe,
  type VideoEncoderRequest,
} from './encoders.js';

/** An `ffmpeg -encoders` list of these names (audio ones by their usual names). */
function list(...names: string[]): EncoderInfo[] {
  const audio = new Set(['aac', 'libopus', 'libmp3lame', 'libshine', 'pcm_s16le']);
  return names.map((name) => ({ name, kind: audio.has(name) ? 'audio' : 'video', description: '' }));
}

/** Devices present and encoders that work, with a record of what was tried. */
function probe(devices: Partial<Record<HardwareKind, string>>, working: string[] = []) {
  const tried: string[] = [];
  const p: HardwareProbe = {
    device: async (kind) => devices[kind] ?? null,
    tryEncode: async (enc) => {
      tried.push(enc.name);
      return working.includes(enc.name) ? null : 'Cannot load libcuda.so.1';
    },
  };
  return { p, tried };
}

const req = (r: Partial<VideoEncoderRequest> = {}): VideoEncoderRequest => ({
  format: 'mp4',
  codec: 'h264',
  hardware: 'auto',
  alpha: false,
  width: 1920,
  height: 1080,
  ...r,
});

async function failure(p: Promise<unknown>): Promise<ReelforgeError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!isReelforgeError(e)) throw new Error(`expected a ReelforgeError, got ${String(e)}`);
  return e;
}

const debian = list(
  ...['libx264', 'h264_nvenc', 'h264_qsv', 'h264_vaapi', 'libx265', 'hevc_nvenc', 'hevc_vaapi'],
  ...['libvpx-vp9', 'vp9_vaapi', 'libsvtav1', 'libaom-av1', 'aac', 'libopus', 'libmp3lame', 'pcm_s16le'],
);

describe('chooseVideoEncoder', () => {
  it('auto: uses software when no hardware device is present, without trying an encode', async () => {
    const { p, tried } = probe({});
    expect(await chooseVideoEncoder(req(), debian, p)).toEqual({
      name: 'libx264',
      codec: 'h264',
      hardware: null,
      device: null,
    });
    expect(tried).toEqual([]);
  });

  it('auto: uses a present hardware encoder whose test encode works', async () => {
    const { p } = probe({ nvenc: 'default' }, ['h264_nvenc']);
    expect(await chooseVideoEncoder(req(), debian, p)).toMatchObject({
      name: 'h264_nvenc',
      hardware: 'nvenc',
    });
  });

  it('auto: falls back past hardware whose test encode fails, in order NVENC, QSV, VAAPI, then software', async () => {
    const { p, tried } = probe(
      { nvenc: 'default', qsv: '/dev/dri/renderD128', vaapi: '/dev/dri/renderD128' },
      ['h264_vaapi'],
    );
    expect(await chooseVideoEncoder(req(), debian, p)).toEqual({
      name: 'h264_vaapi',
      codec: 'h264',
      hardware: 'vaapi',
      device: '/dev/dri/renderD128',
    });
    expect(tried).toEqual(['h264_nvenc', 'h264_qsv', 'h264_vaapi']);
    const none = probe({ nvenc: 'default', vaapi: '/dev/dri/renderD128' });
    expect((await chooseVideoEncoder(req(), debian, none.p)).name).toBe('libx264');
    expect(none.tried).toEqual(['h264_nvenc', 'h264_vaapi']);
  });

  it('auto: skips hardware encoders ffmpeg does not list', async () => {
    const { p, tried } = probe({ nvenc: 'default' }, ['hevc_nvenc']);
    expect((await chooseVideoEncoder(req({ codec: 'h265' }), list('libx265'), p)).name).toBe('libx265');
    expect(tried).toEqual([]);
  });

  it('off: software even when hardware works', async () => {
    const { p, tried } = probe({ nvenc: 'default' }, ['h264_nvenc']);
    expect((await chooseVideoEncoder(req({ hardware: 'off' }), debian, p)).name).toBe('libx264');
    expect(tried).toEqual([]);
  });

  it('a named family is used when it works, and is an error (not a fallback) when it does not', async () => {
    const ok = probe({ vaapi: '/dev/dri/renderD129' }, ['hevc_vaapi']);
    expect(await chooseVideoEncoder(req({ codec: 'h265', hardware: 'vaapi' }), debian, ok.p)).toMatchObject({
      name: 'hevc_vaapi',
      device: '/dev/dri/renderD129',
    });

    const broken = probe({ nvenc: 'default' });
    const e = await failure(chooseVideoEncoder(req({ hardware: 'nvenc' }), debian, broken.p));
    expect(e.code).toBe('ENCODER_UNAVAILABLE');
    expect(e.status).toBe(422);
    expect(e.retryable).toBe(false);
    expect(e.message).toBe(
      'output.hardware nvenc: h264_nvenc is built in, but a one-frame test encode failed (Cannot load libcuda.so.1); use hardware auto or off',
    );

    const noDevice = await failure(chooseVideoEncoder(req({ hardware: 'qsv' }), debian, probe({}).p));
    expect(noDevice.message).toContain('h264_qsv is built in, but no qsv device was found');

    const notBuilt = await failure(
      chooseVideoEncoder(req({ codec: 'vp9', format: 'webm', hardware: 'nvenc' }), debian, ok.p),
    );
    expect(notBuilt.message).toMatch(/^output\.hardware nvenc: no nvenc encoder for vp9 in this ffmpeg\./);
  });

  it('transparency: only libvpx-vp9, never hardware', async () => {
    const { p, tried } = probe({ vaapi: '/dev/dri/renderD128' }, ['vp9_vaapi']);
    const alpha = req({ format: 'webm', codec: 'vp9', alpha: true });
    expect((await chooseVideoEncoder(alpha, debian, p)).name).toBe('libvpx-vp9');
    expect(tried).toEqual([]);
    expect((await chooseVideoEncoder({ ...alpha, alpha: false }, debian, p)).name).toBe('vp9_vaapi');
    const e = await failure(chooseVideoEncoder({ ...alpha, hardware: 'vaapi' }, debian, p));
    expect(e.message).toContain('hardware encoders cannot keep transparency');
  });

  it('AV1: SVT-AV1 from 64 pixels a side, libaom below that', async () => {
    const { p } = probe({});
    expect((await chooseVideoEncoder(req({ codec: 'av1' }), debian, p)).name).toBe('libsvtav1');
    expect((await chooseVideoEncoder(req({ codec: 'av1', width: 48, height: 48 }), debian, p)).name).toBe(
      'libaom-av1',
    );
    const e = await failure(
      chooseVideoEncoder(req({ codec: 'av1', width: 48, height: 48 }), list('libsvtav1', 'aac'), p),
    );
    expect(e.message).toContain('libsvtav1 needs at least 64×64 pixels, got 48×48');
  });

  it('an encoder this ffmpeg lacks: ENCODER_UNAVAILABLE listing what it offers for the format', async () => {
    const { p } = probe({});
    const e = await failure(
      chooseVideoEncoder(
        req({ codec: 'h265' }),
        list('libx264', 'h264_nvenc', 'libsvtav1', 'aac'),
        p,
        '5.1.9',
      ),
    );
    expect(e.code).toBe('ENCODER_UNAVAILABLE');
    expect(e.message).toBe(
      'output.codec h265: this ffmpeg has no software h265 encoder (libx265). This ffmpeg (5.1.9) offers for mp4: video h264 (h264_nvenc, libx264), av1 (libsvtav1); audio aac.',
    );
    expect(e.meta.details).toMatchObject({
      codec: 'h265',
      available: { video: { h264: ['h264_nvenc', 'libx264'], av1: ['libsvtav1'] }, audio: ['aac'] },
    });
  });
});

describe('chooseAudioEncoder', () => {
  it('takes the format’s first available audio encoder', () => {
    expect(chooseAudioEncoder('mp4', debian)).toBe('aac');
    expect(chooseAudioEncoder('webm', debian)).toBe('libopus');
    expect(chooseAudioEncoder('mp3', list('libshine'))).toBe('libshine');
    expect(chooseAudioEncoder('wav', debian)).toBe('pcm_s16le');
    expect(chooseAudioEncoder('gif', [])).toBeNull();
    expect(chooseAudioEncoder('png-sequence', [])).toBeNull();
  });

  it('fails with ENCODER_UNAVAILABLE when the format’s sound cannot be written', () => {
    const call = () => chooseAudioEncoder('opus', list('aac', 'libx264'));
    expect(call).toThrow(
      'output.format opus: this ffmpeg has no libopus audio encoder. It offers for opus: audio none.',
    );
    try {
      call();
    } catch (e) {
      expect(isReelforgeError(e, 'ENCODER_UNAVAILABLE')).toBe(true);
    }
  });
});

describe('availableFor', () => {
  it('groups what ffmpeg lists by the codecs and sound a format can hold', () => {
    expect(availableFor('webm', debian)).toEqual({
      video: { vp9: ['vp9_vaapi', 'libvpx-vp9'], av1: ['libsvtav1', 'libaom-av1'] },
      audio: ['libopus'],
    });
    expect(availableFor('gif', debian)).toEqual({ video: {}, audio: [] });
  });
});
