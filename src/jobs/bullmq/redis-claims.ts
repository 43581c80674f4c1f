import type { Job } from 'bullmq';
import type { Clock } from '../clock.js';
import type { ClaimedJob, ClaimRequest, ClaimResult } from '../job-store.js';
import { type Candidate, COST_WINDOW_MS, describeHold, schedule } from '../scheduler.js';
import type { BullLanes } from './bull-lanes.js';
import type { Reply, ScriptRunner } from './script-runner.js';

interface PeekResult {
  candidates: Array<Candidate & { bullId: string; state: string; waitReason: string; fromWait: boolean }>;
  ledger: Array<{ at: number; amount: number }>;
  nextDelayed: number | null;
}

const PEEK_LIMIT = 64;

/**
 * Claiming from Redis: look at the heads of each type's BullMQ queue with their records, let the scheduler
 * choose, lock the chosen ones through BullMQ, then start their attempts with a script that checks the
 * record (and the cost budget) again, since another worker may have been quicker.
 */
export class RedisClaims {
  private tokenCounter = 0;

  constructor(
    private readonly lanes: BullLanes,
    private readonly scripts: ScriptRunner,
    private readonly clock: Clock,
    private readonly leaseMs: number,
  ) {}

  async claim(req: ClaimRequest): Promise<ClaimResult> {
    const types = Object.keys(req.freeSlots);
    const args: Array<string | number> = [COST_WINDOW_MS, req.costBudgetPerHour === null ? '0' : '1'];
    for (const t of types) {
      const q = this.lanes.queue(t);
      this.lanes.worker(t);
      args.push(t, Math.min(PEEK_LIMIT, req.freeSlots[t] ?? 1), q.toKey('wait'), q.toKey('prioritized'));
    }
    const peek = JSON.parse((await this.scripts.run('rfPeek', ...args)) as string) as PeekResult;
    const now = this.clock.now();
    // BullMQ serves its wait list (jobs back from a stalled worker) before the prioritized set.
    const candidates = (Array.isArray(peek.candidates) ? peek.candidates : []).map((c) => ({
      ...c,
      priority: c.fromWait ? -1 : c.priority,
      memoryMb: c.state === 'queued' || c.state === 'active' ? c.memoryMb : 0,
      cost: c.state === 'queued' || c.state === 'active' ? c.cost : 0,
    }));
    const decision = schedule(candidates, {
      freeSlots: req.freeSlots,
      memoryBudgetMb: req.memoryBudgetMb,
      memoryUsedMb: req.memoryUsedMb,
      costBudgetPerHour: req.costBudgetPerHour,
      costLedger: Array.isArray(peek.ledger) ? peek.ledger : [],
      now,
    });
    const notes: string[] = [];
    for (const { candidate, hold } of decision.held.slice(0, 20)) {
      const reason = describeHold(hold, hold.kind === 'memory' ? req.workerId : undefined);
      if (candidates.find((c) => c.id === candidate.id)?.waitReason !== reason)
        notes.push(candidate.id, reason);
    }
    if (notes.length > 0) await this.scripts.run('rfNote', ...notes);

    // BullMQ hands each concurrent fetch a different job, so the picks are taken in parallel.
    const taken = await Promise.all(
      (decision.start as Array<(typeof candidates)[number]>).map((pick) => this.take(pick.type, pick, req)),
    );
    const claimed = taken.filter((j): j is ClaimedJob => j !== null);
    const wakes = [peek.nextDelayed, decision.wakeAt].filter((x): x is number => typeof x === 'number');
    return {
      claimed,
      wakeAt: wakes.length > 0 ? Math.min(...wakes) : null,
      contended: decision.held.length > 0,
    };
  }

  /** Locks the next BullMQ job of a type and turns it into an attempt; drops stale ones on the way. */
  private async take(
    type: string,
    pick: Candidate & { bullId: string },
    req: ClaimRequest,
  ): Promise<ClaimedJob | null> {
    const worker = this.lanes.worker(type);
    for (let tries = 0; tries < 5; tries++) {
      const token = `${req.workerId}:${++this.tokenCounter}`;
      const job = (await worker.getNextJob(token, { block: false })) as Job | undefined;
      if (!job?.id) return null;
      // Another worker may have taken the job the scheduler chose; then this one must fit its share.
      const allowance = job.id === pick.bullId ? Number.POSITIVE_INFINITY : pick.memoryMb;
      const taken = await this.adopt(type, job, token, req.workerId, allowance, req.costBudgetPerHour);
      if (taken !== 'drop') return taken;
    }
    return null;
  }

  startArgs(
    job: Job,
    token: string,
    workerId: string,
    memoryAllowanceMb: number,
    costBudgetPerHour: number | null,
  ): Array<string | number> {
    const bullId = job.id as string;
    return [
      bullId.slice(0, bullId.lastIndexOf('.')),
      bullId,
      workerId,
      token,
      this.leaseMs,
      costBudgetPerHour ?? '',
      Number.isFinite(memoryAllowanceMb) ? memoryAllowanceMb : '',
      COST_WINDOW_MS,
    ];
  }

  /**
   * Turns a job BullMQ just locked for us into an attempt. 'drop' when it was stale (finished, cancelled,
   * superseded); null when the budgets no longer allow it (it goes back to BullMQ).
   */
  private async adopt(
    type: string,
    job: Job,
    token: string,
    workerId: string,
    memoryAllowanceMb: number,
    costBudgetPerHour: number | null,
  ): Promise<ClaimedJob | null | 'drop'> {
    const args = this.startArgs(job, token, workerId, memoryAllowanceMb, costBudgetPerHour);
    const reply = (await this.scripts.run('rfStart', ...args)) as Reply;
    return this.started(type, job, token, workerId, reply);
  }

  /** Acts on the reply of a start: the attempt, or the BullMQ job dropped or handed back. */
  async started(
    type: string,
    job: Job,
    token: string,
    workerId: string,
    reply: Reply,
  ): Promise<ClaimedJob | null | 'drop'> {
    const bullId = job.id as string;
    const id = bullId.slice(0, bullId.lastIndexOf('.'));
    if (reply[0] === 'ok') {
      return {
        lease: { jobId: id, type, attempt: Number(reply[1]), token, workerId, handle: job },
        payloadJson: String(reply[2]),
        maxAttempts: Number(reply[3]),
        timeoutMs: Number(reply[4]),
        memoryMb: Number(reply[5]),
        cost: Number(reply[6]),
      };
    }
    await job.moveToCompleted(null, token, false).catch(() => undefined);
    if (reply[0] === 'drop') {
      await this.lanes.dispatch(reply, 1);
      return 'drop';
    }
    // The budgets moved since the scheduler looked: back to BullMQ under a new dispatch number.
    const again = (await this.scripts.run('rfRedispatch', id)) as Reply;
    await this.lanes.dispatch(again);
    return null;
  }
}
