import { describe, expect, it } from 'vitest';
import { relevantStderrLine, TailBuffer } from './tail-buffer.js';

describe('TailBuffer', () => {
  it('keeps everything while under capacity', () => {
    const t = new TailBuffer(16);
    t.push('abc');
    t.push(Buffer.from('def'));
    expect(t.toString()).toBe('abcdef');
    expect(t.truncated).toBe(false);
    expect(t.totalBytes).toBe(6);
  });

  it('keeps only the last bytes across wrap-arounds', () => {
    const t = new TailBuffer(8);
    for (const piece of ['0123', '4567', '89', 'abcde']) t.push(piece);
    expect(t.bytes().toString()).toBe('6789abcde'.slice(-8));
    expect(t.truncated).toBe(true);
    expect(t.totalBytes).toBe(15);
  });

  it('handles a single chunk larger than the capacity', () => {
    const t = new TailBuffer(4);
    t.push('xy');
    t.push('0123456789');
    expect(t.bytes().toString()).toBe('6789');
    t.push('ab');
    expect(t.bytes().toString()).toBe('89ab');
  });

  it('starts at a whole line once truncated', () => {
    const t = new TailBuffer(20);
    t.push('first line\nsecond line\nthird\n');
    expect(t.toString()).toBe('second line\nthird\n');
  });

  it('matches a naive tail for many random pushes', () => {
    const t = new TailBuffer(37);
    let all = '';
    for (let i = 0; i < 200; i++) {
      const s = 'x'.repeat(i % 50) + String(i);
      all += s;
      t.push(s);
      expect(t.bytes().toString()).toBe(all.slice(-37));
    }
  });

  it('rejects a non-positive capacity', () => {
    expect(() => new TailBuffer(0)).toThrow(RangeError);
  });
});

describe('relevantStderrLine', () => {
  it('prefers the first error line and cleans it up', () => {
    const stderr = [
      '[h264 @ 0x55aa] [warning] something minor',
      '[mov,mp4,m4a,3gp,3g2,mj2 @ 0x5612ab] [error] moov atom not found',
      '[error] in.mp4: Invalid data found when processing input',
    ].join('\n');
    expect(relevantStderrLine(stderr)).toBe('[mov,mp4,m4a,3gp,3g2,mj2] moov atom not found');
  });

  it('prefers a fatal line over error lines', () => {
    expect(relevantStderrLine('[error] a\n[fatal] b\n')).toBe('b');
  });

  it('falls back to the first line when nothing is tagged, and to empty', () => {
    expect(relevantStderrLine('\nplain one\nplain two\n')).toBe('plain one');
    expect(relevantStderrLine('')).toBe('');
  });

  it('shortens very long lines', () => {
    expect(relevantStderrLine(`[error] ${'z'.repeat(500)}`, 50)).toHaveLength(50);
  });
});
