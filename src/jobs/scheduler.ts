/**
 * Which runnable jobs a worker may start now. Pure: the backends feed it the head of each job type's
 * queue and the worker's capacity, and apply its decision inside their claim transaction.
 *
 * - Concurrency is per job type and per worker: only types with a free slot are considered.
 * - Memory is a per-worker budget. A job that does not fit waits, and so does every later job that needs
 *   memory, so that a large urgent job is not starved by a stream of small ones. A job larger than the
 *   whole budget runs alone.
 * - Cost is a budget per rolling hour shared by all workers. A costly job that would exceed it waits
 *   (with the time the budget frees up), and later costly jobs queue behind it; free jobs still run.
 * - Urgent first, then high, medium, low; first in, first out within one priority.
 */

export const COST_WINDOW_MS = 3_600_000;

export interface Candidate {
  id: string;
  type: string;
  /** 0 = urgent … 3 = low. */
  priority: number;
  /** First-in-first-out order within a priority. */
  order: number;
  memoryMb: number;
  cost: number;
}

export interface CostEntry {
  at: number;
  amount: number;
}

export interface Capacity {
  /** Free slots per job type on this worker. */
  freeSlots: Readonly<Record<string, number>>;
  /** Infinity when there is no memory budget. */
  memoryBudgetMb: number;
  /** Sum of the estimates of the jobs running on this worker. */
  memoryUsedMb: number;
  /** Null when there is no cost budget. */
  costBudgetPerHour: number | null;
  /** Spending recorded in the last hour (entries older than that are ignored). */
  costLedger: readonly CostEntry[];
  now: number;
}

export type Hold =
  | { kind: 'memory'; needMb: number; usedMb: number; budgetMb: number; behind: string | null }
  | {
      kind: 'cost';
      need: number;
      spent: number;
      budget: number;
      freesAt: number | null;
      behind: string | null;
    };

export interface Decision {
  start: Candidate[];
  held: Array<{ candidate: Candidate; hold: Hold }>;
  /** When a cost hold may lift, so the worker can look again then. */
  wakeAt: number | null;
}

function byPriority(a: Candidate, b: Candidate): number {
  return a.priority - b.priority || a.order - b.order;
}

/** Decides which candidates start (at most `max`), and why the others that could have run wait. */
export function schedule(candidates: readonly Candidate[], capacity: Capacity, max = Infinity): Decision {
  const slots: Record<string, number> = { ...capacity.freeSlots };
  const since = capacity.now - COST_WINDOW_MS;
  const ledger = capacity.costLedger.filter((e) => e.at > since).sort((a, b) => a.at - b.at);
  let spent = ledger.reduce((s, e) => s + e.amount, 0);
  let memoryUsed = capacity.memoryUsedMb;
  let memoryBlocker: Candidate | null = null;
  let costBlocker: Candidate | null = null;
  const decision: Decision = { start: [], held: [], wakeAt: null };

  for (const c of [...candidates].sort(byPriority)) {
    if (decision.start.length >= max) break;
    if ((slots[c.type] ?? 0) <= 0) continue;

    if (c.memoryMb > 0) {
      const fits = memoryUsed === 0 || memoryUsed + c.memoryMb <= capacity.memoryBudgetMb;
      if (memoryBlocker !== null || !fits) {
        decision.held.push({
          candidate: c,
          hold: {
            kind: 'memory',
            needMb: c.memoryMb,
            usedMb: memoryUsed,
            budgetMb: capacity.memoryBudgetMb,
            behind: memoryBlocker?.id ?? null,
          },
        });
        memoryBlocker ??= c;
        continue;
      }
    }

    const budget = capacity.costBudgetPerHour;
    if (c.cost > 0 && budget !== null) {
      const fits = spent === 0 || spent + c.cost <= budget;
      if (costBlocker !== null || !fits) {
        const freesAt = costBlocker === null ? costFreesAt(ledger, spent, c.cost, budget) : null;
        if (freesAt !== null) decision.wakeAt = Math.min(decision.wakeAt ?? freesAt, freesAt);
        decision.held.push({
          candidate: c,
          hold: { kind: 'cost', need: c.cost, spent, budget, freesAt, behind: costBlocker?.id ?? null },
        });
        costBlocker ??= c;
        continue;
      }
    }

    decision.start.push(c);
    slots[c.type] = (slots[c.type] ?? 0) - 1;
    memoryUsed += c.memoryMb;
    if (c.cost > 0) {
      spent += c.cost;
      ledger.push({ at: capacity.now, amount: c.cost });
    }
  }
  return decision;
}

/** When enough of the last hour's spending has aged out for `need` to fit (or for the ledger to empty). */
export function costFreesAt(
  ledger: readonly CostEntry[],
  spent: number,
  need: number,
  budget: number,
): number | null {
  let remaining = spent;
  for (const e of ledger) {
    remaining -= e.amount;
    if (remaining <= 1e-9 || remaining + need <= budget) return e.at + COST_WINDOW_MS;
  }
  return null;
}

/** The sentence a held job shows as its `waitReason`. */
export function describeHold(hold: Hold, workerId?: string): string {
  const where = workerId ? ` on worker ${workerId}` : '';
  if (hold.kind === 'memory') {
    const behind = hold.behind ? `; behind ${hold.behind}, which waits for memory` : '';
    return `memory budget${where}: needs ${fmt(hold.needMb)} MB, ${fmt(hold.usedMb)} of ${fmt(hold.budgetMb)} MB in use${behind}`;
  }
  const behind = hold.behind ? `; behind ${hold.behind}, which waits for the cost budget` : '';
  const frees = hold.freesAt !== null ? `; fits again at ${new Date(hold.freesAt).toISOString()}` : '';
  return `cost budget: needs ${fmt(hold.need)}, ${fmt(hold.spent)} of ${fmt(hold.budget)} per hour spent${frees}${behind}`;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}
