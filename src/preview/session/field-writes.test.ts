import { describe, expect, it } from 'vitest';
import { FieldWrites } from './field-writes.js';

const alice = { memberId: 'm1', owner: 'alice' };
const bob = { memberId: 'm2', owner: 'bob' };

describe('FieldWrites', () => {
  it('reports writes by others after the base version to the same, inner or outer fields', () => {
    const w = new FieldWrites();
    w.record(['params.cameraSpeed'], 1, alice);
    w.record(['tracks[0].clips[1].opacity'], 2, alice);
    w.record(['params.grade'], 3, bob);
    expect(w.overwrittenBy(['params.cameraSpeed'], 0, bob)).toEqual([
      { path: 'params.cameraSpeed', version: 1, by: alice },
    ]);
    expect(w.overwrittenBy(['tracks[0]'], 1, bob).map((x) => x.path)).toEqual(['tracks[0].clips[1].opacity']);
    // Seen already (base 2), or written by the writer itself: nothing to report.
    expect(w.overwrittenBy(['params.cameraSpeed'], 2, bob)).toEqual([]);
    expect(w.overwrittenBy(['params.grade'], 0, bob)).toEqual([]);
  });

  it('keeps the last writer per field and forgets fields inside a rewritten one', () => {
    const w = new FieldWrites();
    w.record(['params.depthOfField.focus'], 1, alice);
    w.record(['params.depthOfField'], 2, bob);
    expect(w.get('params.depthOfField.focus')).toBeUndefined();
    expect(w.get('params.depthOfField')).toEqual({ path: 'params.depthOfField', version: 2, by: bob });
    w.record(['params.depthOfField'], 3, alice);
    expect(w.get('params.depthOfField')?.by).toBe(alice);
    expect(w.size).toBe(1);
  });
});
