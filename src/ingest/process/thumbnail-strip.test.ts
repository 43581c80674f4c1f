import { describe, expect, it } from 'vitest';
import { planStrip, stripVtt, vttTime } from './thumbnail-strip.js';

describe('thumbnail strip plan', () => {
  it('puts a tile every tenth of a short video', () => {
    const p = planStrip(2, 160, 90);
    expect(p.intervalSec).toBeCloseTo(0.2);
    expect(p.tiles).toBe(10);
    expect(p).toMatchObject({ columns: 10, rows: 1, tileWidth: 160, tileHeight: 90 });
  });

  it('every 2 s on a minute, at most 100 tiles on a long video', () => {
    expect(planStrip(60, 1920, 1080)).toMatchObject({ intervalSec: 2, tiles: 30, columns: 10, rows: 3 });
    const long = planStrip(3600, 1920, 1080);
    expect(long.tiles).toBe(100);
    expect(long.intervalSec).toBe(36);
  });

  it('keeps the aspect ratio with an even tile height, portrait too', () => {
    expect(planStrip(10, 1080, 1920).tileHeight).toBe(284);
    expect(planStrip(10, 0, 0).tileHeight).toBe(90);
  });

  it('survives a missing or absurd duration', () => {
    expect(planStrip(Number.NaN, 160, 90).tiles).toBeGreaterThan(0);
    expect(planStrip(0, 160, 90).tiles).toBeGreaterThan(0);
  });
});

describe('thumbnail VTT', () => {
  it('formats times as hh:mm:ss.mmm', () => {
    expect(vttTime(0)).toBe('00:00:00.000');
    expect(vttTime(3723.4567)).toBe('01:02:03.457');
  });

  it('has one cue a tile, contiguous, pointing at the tile in the sprite', () => {
    const plan = planStrip(60, 1920, 1080);
    const vtt = stripVtt(plan, 'sprite.jpg', 60);
    expect(vtt.startsWith('WEBVTT\n')).toBe(true);
    const cues = [...vtt.matchAll(/(\S+) --> (\S+)\nsprite\.jpg#xywh=(\d+),(\d+),(\d+),(\d+)/g)];
    expect(cues).toHaveLength(30);
    expect(cues[0]?.slice(1)).toEqual(['00:00:00.000', '00:00:02.000', '0', '0', '160', '90']);
    expect(cues[11]?.slice(1)).toEqual(['00:00:22.000', '00:00:24.000', '160', '90', '160', '90']);
    expect(cues[29]?.[2]).toBe('00:01:00.000');
  });
});
