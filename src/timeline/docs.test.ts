import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProblem } from './problems.js';
import { validateTimeline } from './validate.js';

/** The ```json blocks of docs/timeline.md: the complete examples users copy. */
function jsonBlocks(): string[] {
  const text = readFileSync(new URL('../../docs/timeline.md', import.meta.url), 'utf8');
  return [...text.matchAll(/^```json\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? '');
}

describe('docs/timeline.md', () => {
  it('has the three complete examples', () => {
    expect(jsonBlocks()).toHaveLength(3);
  });

  it.each(jsonBlocks().map((block, i) => [i + 1, block] as const))(
    'example %i is a valid timeline',
    (_, block) => {
      const result = validateTimeline(JSON.parse(block));
      expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([]);
    },
  );

  it('shows fragments that are valid inside an image clip', () => {
    const text = readFileSync(new URL('../../docs/timeline.md', import.meta.url), 'utf8');
    const blocks = [...text.matchAll(/^```jsonc\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? '');
    const fragments = blocks
      .flatMap((b) => b.split(/\n\s*\n/))
      .map((f) => f.replace(/^\/\/.*$/gm, '').trim());
    expect(fragments.length).toBeGreaterThanOrEqual(3);
    for (const fragment of fragments) {
      const { camera, opacity } = JSON.parse(`{${fragment}}`) as { camera?: unknown; opacity?: unknown };
      const clip = { type: 'image', src: 'a.jpg', start: 0, duration: 6, camera, transform: { opacity } };
      const result = validateTimeline({ output: { width: 640, height: 360 }, tracks: [{ clips: [clip] }] });
      expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([]);
    }
  });
});
