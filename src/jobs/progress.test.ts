import { describe, expect, it } from 'vitest';
import { ProgressTracker } from './progress.js';

function tracker() {
  let now = 0;
  let changes = 0;
  const t = new ProgressTracker({ now: () => now, onChange: () => changes++, rateWindowMs: 10_000 });
  return {
    t,
    advance: (ms: number) => {
      now += ms;
    },
    changes: () => changes,
  };
}

describe('ProgressTracker', () => {
  it('weights steps and sub-steps into one percent', () => {
    const { t } = tracker();
    const fetch = t.root.step('fetch', 1);
    const render = t.root.step('render', 3);
    expect(t.snapshot().percent).toBe(0);
    fetch.complete();
    expect(t.snapshot().percent).toBe(25);
    const frames = render.step('frames', 2);
    render.step('mux', 1);
    frames.update(30, 60);
    // 25 + 75 × (2/3 × 0.5) = 50
    expect(t.snapshot().percent).toBe(50);
    frames.complete();
    expect(t.snapshot().percent).toBeCloseTo(75, 5);
    render.complete();
    expect(t.snapshot().percent).toBe(100);
  });

  it('keeps a tree with states, times and the deepest running message', () => {
    const { t, advance } = tracker();
    const a = t.root.step('a');
    const b = t.root.step('b');
    advance(100);
    a.update(0.5);
    a.message('decoding');
    const snap = t.snapshot();
    expect(snap.steps.map((s) => [s.name, s.state, s.startedAt])).toEqual([
      ['a', 'running', 100],
      ['b', 'pending', null],
    ]);
    expect(snap.message).toBe('decoding');
    advance(50);
    a.complete();
    b.step('inner').message('almost');
    const later = t.snapshot();
    expect(later.steps[0]).toMatchObject({ state: 'done', finishedAt: 150, percent: 100 });
    expect(later.message).toBe('almost');
  });

  it('returns the same child for the same name and ignores bad numbers', () => {
    const { t } = tracker();
    expect(t.root.step('x')).toBe(t.root.step('x', 5));
    t.root.step('x').update(Number.NaN);
    t.root.step('x').update(3, 0);
    expect(t.snapshot().percent).toBe(0);
    t.root.step('x').update(2);
    expect(t.snapshot().percent).toBe(100);
  });

  it('estimates the time left from the rate over the window', () => {
    const { t, advance } = tracker();
    expect(t.etaMs()).toBeNull();
    t.root.update(0);
    advance(1_000);
    t.root.update(0.1);
    // 10 % per second → 9 s left.
    expect(t.etaMs()).toBe(9_000);
    advance(1_000);
    t.root.update(0.3);
    expect(t.etaMs()).toBeCloseTo(((1 - 0.3) * 2_000) / 0.3, -1);
    // Only the recent window counts: a stall long ago no longer slows the estimate.
    advance(20_000);
    t.root.update(0.3);
    for (let i = 0; i < 10; i++) {
      advance(1_000);
      t.root.update(0.3 + 0.05 * (i + 1));
    }
    // 5 % per second over the last 10 s, 20 % left → 4 s.
    expect(t.etaMs()).toBe(4_000);
    t.root.complete();
    expect(t.etaMs()).toBe(0);
  });

  it('says nothing about the ETA while progress stands still', () => {
    const { t, advance } = tracker();
    t.root.update(0.2);
    advance(5_000);
    t.root.update(0.2);
    expect(t.etaMs()).toBeNull();
  });

  it('reports every change', () => {
    const { t, changes } = tracker();
    const s = t.root.step('s');
    s.update(0.5);
    s.message('m');
    s.complete();
    expect(changes()).toBe(4);
  });
});
