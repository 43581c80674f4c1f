import { describe, expect, it } from 'vitest';
import { ProgressTracker } from '../jobs/progress.js';
import { renderProgressSteps } from './render-job.js';

describe('renderProgressSteps', () => {
  it('maps engine stages onto the step tree, video weighing most', () => {
    let now = 0;
    const tracker = new ProgressTracker({ now: () => now });
    const { steps, onProgress } = renderProgressSteps(tracker.root);
    onProgress({ stage: 'prepare', frame: 0, totalFrames: 0, fps: 0, etaSec: null, fraction: 0 });
    now = 100;
    onProgress({ stage: 'video', frame: 50, totalFrames: 100, fps: 25, etaSec: 2, fraction: 0.5 });
    const snap = tracker.snapshot();
    expect(snap.steps.map((s) => [s.name, s.state])).toEqual([
      ['prepare', 'done'],
      ['audio', 'done'],
      ['video', 'running'],
      ['finalize', 'pending'],
      ['store', 'pending'],
    ]);
    // (1 + 1 + 8 × 0.5) / 12 of the job
    expect(snap.percent).toBeCloseTo(50, 0);
    expect(snap.message).toBe('frame 50 of 100 at 25.0 fps');
    onProgress({ stage: 'finalize', frame: 100, totalFrames: 100, fps: 0, etaSec: 0, fraction: 1 });
    steps.store.complete();
    expect(tracker.snapshot().percent).toBe(100);
  });
});
