import { describe, expect, it } from 'vitest';
import type { RenderProgress } from '../engine/index.js';
import { formatBytes, formatClock, ProgressBar, plainLine, progressLine } from './progress-bar.js';

const at = (p: Partial<RenderProgress>): RenderProgress => ({
  stage: 'video',
  frame: 0,
  totalFrames: 300,
  fps: 0,
  etaSec: null,
  fraction: 0,
  ...p,
});

function recorder(tty: boolean, columns = 80) {
  const written: string[] = [];
  let now = 0;
  const bar = new ProgressBar({ write: (s) => written.push(s), tty, columns, now: () => now });
  return { bar, written, tick: (ms: number) => (now += ms) };
}

describe('formatting', () => {
  it('writes clocks and sizes for people', () => {
    expect([formatClock(0), formatClock(7.4), formatClock(65), formatClock(3723)]).toEqual([
      '0:00',
      '0:07',
      '1:05',
      '1:02:03',
    ]);
    expect([formatBytes(512), formatBytes(12_345), formatBytes(4_560_000), formatBytes(1.2e9)]).toEqual([
      '512 B',
      '12.3 kB',
      '4.56 MB',
      '1.20 GB',
    ]);
  });

  it('shows stage, bar, percent, frames, fps and ETA within the terminal width', () => {
    const line = progressLine(at({ frame: 135, fps: 62.14, etaSec: 2.6, fraction: 0.45 }), 80);
    expect(line).toMatch(/^video {4}\[█+░+\] {3}45% {2}135\/300 {2}62\.1 fps {2}ETA 0:03$/);
    expect(line.length).toBeLessThanOrEqual(79);
    for (const columns of [20, 40, 200]) {
      expect(
        progressLine(at({ frame: 135, fps: 62, etaSec: 3, fraction: 0.45 }), columns).length,
      ).toBeLessThan(columns);
    }
  });

  it('leaves out what is not known yet', () => {
    expect(progressLine(at({ stage: 'prepare', totalFrames: 0 }), 80)).toMatch(/^prepare {2}\[░+\] {4}0%$/);
    // One frame gives no useful rate.
    expect(plainLine(at({ frame: 1, fps: 900, etaSec: 0, fraction: 0.05 }))).toBe(
      'render: video 1/300 frames (5%)',
    );
    expect(plainLine(at({ frame: 120, fps: 55, etaSec: 3.2, fraction: 0.4 }))).toBe(
      'render: video 120/300 frames (40%), 55.0 fps, ETA 0:03',
    );
  });
});

describe('ProgressBar', () => {
  it('redraws one terminal line at most every 100 ms, and at once on a new stage', () => {
    const { bar, written, tick } = recorder(true);
    bar.update(at({ stage: 'prepare', totalFrames: 0 }));
    bar.update(at({ stage: 'audio' }));
    for (let i = 1; i <= 100; i++) {
      tick(5);
      bar.update(at({ frame: i, fps: 30, etaSec: 1, fraction: i / 300 }));
    }
    // prepare + audio + the first video frame (new stage) + one redraw per 100 ms over 500 ms.
    expect(written.length).toBe(3 + 4);
    expect(written.every((s) => s.startsWith('\r') && s.endsWith('\x1b[K'))).toBe(true);
    bar.finish();
    expect(written.at(-1)).toBe('\r\x1b[K');
    bar.finish();
    expect(written.length).toBe(3 + 4 + 1);
  });

  it('always draws the last frame so the bar ends full', () => {
    const { bar, written } = recorder(true);
    bar.update(at({ frame: 299, fraction: 0.97 }));
    bar.update(at({ frame: 300, fraction: 0.98 }));
    expect(written.at(-1)).toContain('300/300');
  });

  it('prints a few plain lines when not on a terminal', () => {
    const { bar, written, tick } = recorder(false);
    bar.update(at({ stage: 'prepare', totalFrames: 0 }));
    bar.update(at({ stage: 'audio' }));
    for (let i = 1; i <= 300; i++) {
      tick(100);
      bar.update(at({ frame: i, fps: 10, etaSec: (300 - i) / 10, fraction: i / 300 }));
    }
    bar.update(at({ stage: 'finalize', frame: 300, fraction: 0.99 }));
    bar.update(at({ stage: 'finalize', frame: 300, fraction: 1 }));
    bar.finish();
    // One line per stage, plus one every 10 s of the 30 s video stage (not at its very end).
    expect(written.map((s) => s.split(' ')[1])).toEqual([
      'prepare',
      'audio',
      'video',
      'video',
      'video',
      'finalize',
    ]);
    expect(written.every((s) => s.endsWith('\n') && !s.includes('\r'))).toBe(true);
  });
});
