import type { Redis } from 'ioredis';
import type { Clock } from '../clock.js';
import { jobNotFound } from '../job-errors.js';
import type { JobDetail, JobPage, JobState, JobStats, JobSummary } from '../job-queue.js';
import { jobStates } from '../job-queue.js';
import type { ListQuery } from '../job-store.js';
import { toDetail, toSummary } from '../records.js';
import { attemptFromJson, dependenciesFromHash, fromHash, runningAttempt } from './redis-records.js';
import type { Reply, ScriptRunner } from './script-runner.js';

/** Queries over the job records in Redis: one job, pages, stats (per-minute counters). */
export class RedisReads {
  constructor(
    private readonly client: Redis,
    private readonly ns: string,
    private readonly clock: Clock,
    private readonly scripts: ScriptRunner,
    private readonly ready: () => Promise<void>,
  ) {}

  async hashes(ids: readonly string[]): Promise<Array<Record<string, string>>> {
    if (ids.length === 0) return [];
    const pipeline = this.client.pipeline();
    for (const id of ids) pipeline.hgetall(`${this.ns}:job:${id}`);
    const results = (await pipeline.exec()) ?? [];
    return results.map(([err, h]) => {
      if (err) throw err;
      return h as Record<string, string>;
    });
  }

  async summary(id: string): Promise<JobSummary> {
    const [h] = await this.hashes([id]);
    if (!h?.id) throw jobNotFound(id);
    return toSummary(fromHash(h), dependenciesFromHash(h));
  }

  async get(id: string): Promise<JobDetail | undefined> {
    await this.ready();
    const [h, attempts] = await Promise.all([
      this.client.hgetall(`${this.ns}:job:${id}`),
      this.client.lrange(`${this.ns}:attempts:${id}`, 0, -1),
    ]);
    if (!h.id) return undefined;
    const history = attempts.map(attemptFromJson);
    // The running attempt is kept in the record until it ends.
    if (h.state === 'active') history.push(runningAttempt(h));
    return toDetail(fromHash(h), dependenciesFromHash(h), history, this.clock.now());
  }

  async list(q: ListQuery): Promise<JobPage> {
    const reply = (await this.scripts.run(
      'rfList',
      JSON.stringify(q.states ?? []),
      q.type ?? '',
      q.priority === null ? '' : q.priority,
      q.offset,
      q.limit,
    )) as Reply;
    const ids = reply.slice(1).map(String);
    const hashes = await this.hashes(ids);
    const jobs = hashes.filter((h) => h.id).map((h) => toSummary(fromHash(h), dependenciesFromHash(h)));
    return { jobs, total: Number(reply[0]), limit: q.limit, offset: q.offset };
  }

  async stats(windowMs: number): Promise<JobStats> {
    await this.ready();
    const now = this.clock.now();
    const pipeline = this.client.pipeline();
    for (const s of jobStates) pipeline.zcard(`${this.ns}:state:${s}`);
    const first = Math.floor((now - windowMs) / 60_000);
    const last = Math.floor(now / 60_000);
    for (let m = first; m <= last; m++) pipeline.hgetall(`${this.ns}:stats:${m}`);
    const results = ((await pipeline.exec()) ?? []).map(([err, v]) => {
      if (err) throw err;
      return v;
    });
    const counts = Object.fromEntries(jobStates.map((s, i) => [s, Number(results[i])])) as Record<
      JobState,
      number
    >;
    const sum: Record<string, number> = {};
    for (const bucket of results.slice(jobStates.length) as Array<Record<string, string>>) {
      for (const [k, v] of Object.entries(bucket)) sum[k] = (sum[k] ?? 0) + Number(v);
    }
    const completed = sum.completed ?? 0;
    return {
      counts,
      windowMs,
      completed,
      failed: sum.failed ?? 0,
      cancelled: sum.cancelled ?? 0,
      throughputPerMinute: completed / (windowMs / 60_000),
      meanWaitMs: sum.wait_n ? Math.round((sum.wait_sum ?? 0) / sum.wait_n) : null,
      meanRunMs: sum.run_n ? Math.round((sum.run_sum ?? 0) / sum.run_n) : null,
    };
  }
}
