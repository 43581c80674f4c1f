import { describe, expect, it } from 'vitest';
import { isReelforgeError } from '../../errors.js';
import { UploadSession } from './upload-session.js';

const session = (size: number, declaredType: string | null = null, now = () => 0) =>
  new UploadSession({ id: 'u1', owner: 'alice', size, declaredType, maxPixels: 1_000_000, now });

function pngHeader(w: number, h: number): Buffer {
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]).copy(b);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(w, 16);
  b.writeUInt32BE(h, 20);
  return b;
}

const refusal = (fn: () => void) => {
  try {
    fn();
  } catch (e) {
    if (isReelforgeError(e)) return { code: e.code, status: e.status, message: e.message };
    throw e;
  }
  return null;
};

describe('UploadSession', () => {
  it('decides on the content once enough bytes have arrived, even across tiny chunks', () => {
    const s = session(10_000, 'video/mp4');
    const zip = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(100)]);
    expect(refusal(() => s.accept(zip.subarray(0, 10), 0))).toBeNull();
    expect(refusal(() => s.accept(zip.subarray(10), 10))).toMatchObject({
      code: 'UPLOAD_REJECTED',
      status: 415,
      message: expect.stringContaining('declared video/mp4 but the content is a ZIP archive'),
    });
  });

  it('sniffs a file shorter than the sniffing window once it is complete', () => {
    const s = session(4);
    expect(refusal(() => s.accept(Buffer.from('abcd'), 0))?.message).toMatch(/not a recognised/);
  });

  it('refuses an image whose header declares more pixels than allowed', () => {
    const s = session(1_000_000, 'image/png');
    const r = refusal(() => s.accept(Buffer.concat([pngHeader(2_000, 2_000), Buffer.alloc(40)]), 0));
    expect(r).toMatchObject({ code: 'UPLOAD_REJECTED', status: 413 });
    expect(r?.message).toContain('2000×2000');
    const ok = session(1_000_000, 'image/png');
    expect(refusal(() => ok.accept(Buffer.concat([pngHeader(800, 600), Buffer.alloc(40)]), 0))).toBeNull();
    expect(ok.checksDone).toBe(true);
  });

  it('reports percent, rate and ETA', () => {
    let t = 0;
    const s = session(10_000, null, () => t);
    const wav = Buffer.concat([Buffer.from('RIFF\0\0\0\0WAVEfmt ', 'latin1'), Buffer.alloc(1_984)]);
    t = 1_000;
    s.accept(wav, 0);
    expect(s.snapshot()).toMatchObject({
      stage: 'uploading',
      offset: 2_000,
      percent: 20,
      bytesPerSec: 2_000,
      etaSec: 4,
    });
  });
});
