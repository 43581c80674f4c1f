import { describe, expect, it } from 'vitest';
import { ProgressParser } from './progress.js';

const block = (over: Record<string, string>) =>
  Object.entries({
    frame: '30',
    fps: '12.5',
    stream_0_0_q: '-1.0',
    bitrate: 'N/A',
    total_size: '48',
    out_time_us: '1000000',
    out_time_ms: '1000000',
    out_time: '00:00:01.000000',
    dup_frames: '0',
    drop_frames: '0',
    speed: '2.5x',
    progress: 'continue',
    ...over,
  })
    .map(([k, v]) => `${k}=${v}\n`)
    .join('');

describe('ProgressParser', () => {
  it('parses one complete block', () => {
    const p = new ProgressParser();
    expect(p.push(block({}))).toEqual([{ frame: 30, fps: 12.5, outTimeSec: 1, speed: 2.5, done: false }]);
  });

  it('reassembles lines split across chunks, one character at a time', () => {
    const p = new ProgressParser();
    const text = block({}) + block({ frame: '60', out_time_us: '2000000', progress: 'end' });
    const reports = [...text].flatMap((ch) => p.push(ch));
    expect(reports.map((r) => [r.frame, r.outTimeSec, r.done])).toEqual([
      [30, 1, false],
      [60, 2, true],
    ]);
  });

  it('returns several reports from one chunk and nothing for a partial block', () => {
    const p = new ProgressParser();
    expect(p.push(block({}) + block({ frame: '31' }))).toHaveLength(2);
    expect(p.push('frame=40\nfps=1')).toEqual([]);
    expect(p.push('0\nprogress=continue\n')[0]).toMatchObject({ frame: 40, fps: 10 });
  });

  it('copes with N/A, spaces, CRLF and the out_time fallbacks', () => {
    const p = new ProgressParser();
    const [r] = p.push(
      'frame=0\r\nfps=0.00\r\nout_time_us=N/A\r\nout_time_ms=N/A\r\nout_time=00:01:02.500000\r\nspeed=N/A\r\nprogress=continue\r\n',
    );
    expect(r).toEqual({ frame: 0, fps: 0, outTimeSec: 62.5, speed: null, done: false });
    const [s] = p.push('out_time_us=-23220\nout_time=-00:00:00.023220\nspeed=   1x\nprogress=continue\n');
    expect(s).toMatchObject({ outTimeSec: 0, speed: 1 });
  });

  it('keeps values missing from a later block', () => {
    const p = new ProgressParser();
    p.push(block({}));
    expect(p.push('frame=45\nprogress=end\n')[0]).toEqual({
      frame: 45,
      fps: 12.5,
      outTimeSec: 1,
      speed: 2.5,
      done: true,
    });
  });

  it('ignores lines without a key', () => {
    const p = new ProgressParser();
    expect(p.push('garbage\n=x\n\nprogress=continue\n')).toEqual([
      { frame: 0, fps: 0, outTimeSec: 0, speed: null, done: false },
    ]);
  });
});
