import { describe, expect, it } from 'vitest';
import {
  type Candidate,
  type Capacity,
  COST_WINDOW_MS,
  costFreesAt,
  describeHold,
  schedule,
} from './scheduler.js';

const now = 10_000_000;
let order = 0;
function job(id: string, over: Partial<Candidate> = {}): Candidate {
  return { id, type: 'render', priority: 2, order: ++order, memoryMb: 0, cost: 0, ...over };
}
function capacity(over: Partial<Capacity> = {}): Capacity {
  return {
    freeSlots: { render: 10, generate: 10 },
    memoryBudgetMb: Number.POSITIVE_INFINITY,
    memoryUsedMb: 0,
    costBudgetPerHour: null,
    costLedger: [],
    now,
    ...over,
  };
}
const ids = (cs: readonly Candidate[]) => cs.map((c) => c.id);

describe('schedule', () => {
  it('starts urgent first, then by arrival within a priority', () => {
    const d = schedule(
      [
        job('low', { priority: 3 }),
        job('m1'),
        job('urgent', { priority: 0 }),
        job('m2'),
        job('high', { priority: 1 }),
      ],
      capacity(),
    );
    expect(ids(d.start)).toEqual(['urgent', 'high', 'm1', 'm2', 'low']);
  });

  it('respects free slots per type and a maximum', () => {
    const d = schedule(
      [job('r1'), job('r2'), job('r3'), job('g1', { type: 'generate' })],
      capacity({ freeSlots: { render: 2, generate: 1 } }),
    );
    expect(ids(d.start)).toEqual(['r1', 'r2', 'g1']);
    expect(ids(schedule([job('a'), job('b')], capacity(), 1).start)).toEqual(['a']);
    expect(schedule([job('x', { type: 'enhance' })], capacity()).start).toEqual([]);
  });

  it('holds jobs that would oversubscribe memory, and everything needing memory behind them', () => {
    const d = schedule(
      [job('big', { memoryMb: 700 }), job('small', { memoryMb: 100 }), job('free')],
      capacity({ memoryBudgetMb: 1_000, memoryUsedMb: 500 }),
    );
    expect(ids(d.start)).toEqual(['free']);
    expect(d.held.map((h) => [h.candidate.id, h.hold.kind, h.hold.behind])).toEqual([
      ['big', 'memory', null],
      ['small', 'memory', 'big'],
    ]);
  });

  it('counts the memory of jobs it starts in the same decision', () => {
    const d = schedule(
      [job('a', { memoryMb: 400 }), job('b', { memoryMb: 400 }), job('c', { memoryMb: 400 })],
      capacity({ memoryBudgetMb: 1_000 }),
    );
    expect(ids(d.start)).toEqual(['a', 'b']);
    expect(ids(d.held.map((h) => h.candidate))).toEqual(['c']);
  });

  it('lets a job larger than the whole budget run alone', () => {
    expect(
      ids(schedule([job('huge', { memoryMb: 5_000 })], capacity({ memoryBudgetMb: 1_000 })).start),
    ).toEqual(['huge']);
    const busy = schedule(
      [job('huge', { memoryMb: 5_000 })],
      capacity({ memoryBudgetMb: 1_000, memoryUsedMb: 1 }),
    );
    expect(busy.start).toEqual([]);
  });

  it('holds a costly job that would exceed the hourly budget, with the time it fits again', () => {
    const ledger = [
      { at: now - 3_000_000, amount: 0.5 },
      { at: now - 1_000_000, amount: 0.4 },
      { at: now - 2 * COST_WINDOW_MS, amount: 99 }, // outside the window
    ];
    const d = schedule(
      [
        job('paid', { cost: 0.3, type: 'generate' }),
        job('also', { cost: 0.1, type: 'generate' }),
        job('free'),
      ],
      capacity({ costBudgetPerHour: 1, costLedger: ledger }),
    );
    expect(ids(d.start)).toEqual(['free']);
    const hold = d.held[0]?.hold;
    expect(hold).toMatchObject({ kind: 'cost', spent: 0.9, budget: 1 });
    // The 0.5 entry ages out at now − 3,000,000 + 1 h; then 0.4 + 0.3 fits.
    expect(hold?.kind === 'cost' && hold.freesAt).toBe(now - 3_000_000 + COST_WINDOW_MS);
    expect(d.wakeAt).toBe(now - 3_000_000 + COST_WINDOW_MS);
    expect(d.held[1]?.hold).toMatchObject({ kind: 'cost', behind: 'paid' });
  });

  it('counts spending started in the same decision, and ignores cost without a budget', () => {
    const jobs = [job('a', { cost: 0.4 }), job('b', { cost: 0.4 }), job('c', { cost: 0.4 })];
    expect(ids(schedule(jobs, capacity({ costBudgetPerHour: 1 })).start)).toEqual(['a', 'b']);
    expect(ids(schedule(jobs, capacity()).start)).toEqual(['a', 'b', 'c']);
    expect(ids(schedule([job('pricey', { cost: 5 })], capacity({ costBudgetPerHour: 1 })).start)).toEqual([
      'pricey',
    ]);
  });
});

describe('costFreesAt', () => {
  it('is when enough old spending has left the window', () => {
    const ledger = [
      { at: 100, amount: 1 },
      { at: 200, amount: 1 },
      { at: 300, amount: 1 },
    ];
    expect(costFreesAt(ledger, 3, 1, 3)).toBe(100 + COST_WINDOW_MS);
    expect(costFreesAt(ledger, 3, 2, 3)).toBe(200 + COST_WINDOW_MS);
    expect(costFreesAt(ledger, 3, 9, 3)).toBe(300 + COST_WINDOW_MS);
  });
});

describe('describeHold', () => {
  it('says what is needed and what is in use', () => {
    expect(
      describeHold({ kind: 'memory', needMb: 600, usedMb: 700, budgetMb: 1_000, behind: null }, 'w1'),
    ).toBe('memory budget on worker w1: needs 600 MB, 700 of 1000 MB in use');
    expect(describeHold({ kind: 'cost', need: 0.4, spent: 0.8, budget: 1, freesAt: 0, behind: 'j_1' })).toBe(
      'cost budget: needs 0.40, 0.80 of 1 per hour spent; fits again at 1970-01-01T00:00:00.000Z; behind j_1, which waits for the cost budget',
    );
  });
});
