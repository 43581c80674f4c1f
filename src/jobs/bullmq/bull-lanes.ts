import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../../log.js';
import type { Reply } from './script-runner.js';

export interface BullLanesOptions {
  ns: string;
  /** Our (auto-pipelined) connection, for the ready signal. */
  client: Redis;
  /** BullMQ's connection (not auto-pipelined). */
  bullClient: Redis;
  log: Logger;
  leaseMs: number;
  stalledIntervalMs?: number;
}

/**
 * One BullMQ queue per job type, holding that type's runnable jobs in priority order, and a BullMQ worker
 * per type used manually: to lock jobs (the lease), extend locks, and find expired ones.
 */
export class BullLanes {
  private readonly queues = new Map<string, Queue>();
  private readonly workers = new Map<string, Worker>();
  private readonly readyTypes = new Set<string>();

  constructor(private readonly options: BullLanesOptions) {}

  queue(type: string): Queue {
    let q = this.queues.get(type);
    if (!q) {
      q = new Queue(`q-${type}`, {
        connection: this.options.bullClient,
        prefix: this.options.ns,
        streams: { events: { maxLen: 100 } },
      });
      q.on('error', (e) => this.options.log.warn({ err: e, type }, 'BullMQ queue error'));
      this.queues.set(type, q);
    }
    return q;
  }

  worker(type: string): Worker {
    let w = this.workers.get(type);
    if (!w) {
      w = new Worker(`q-${type}`, null, {
        connection: this.options.bullClient,
        prefix: this.options.ns,
        lockDuration: this.options.leaseMs,
        stalledInterval:
          this.options.stalledIntervalMs ?? Math.max(100, Math.floor(this.options.leaseMs / 2)),
        // Our records count attempts and decide; BullMQ must never fail a job on its own.
        maxStalledCount: 1_000_000,
        autorun: false,
      });
      w.on('error', (e) => this.options.log.warn({ err: e, type }, 'BullMQ worker error'));
      void w.startStalledCheckTimer();
      this.workers.set(type, w);
    }
    return w;
  }

  /** Adds runnable jobs (id, type, priority, dispatch quadruples) to BullMQ and wakes workers. */
  async dispatch(reply: Reply, from = 0): Promise<void> {
    const byType = new Map<string, Array<{ name: string; data: object; opts: object }>>();
    for (let i = from; i + 3 < reply.length; i += 4) {
      const [id, type, priority, dispatch] = [reply[i], reply[i + 1], reply[i + 2], reply[i + 3]];
      const list = byType.get(String(type)) ?? [];
      list.push({
        name: String(type),
        data: {},
        opts: {
          jobId: `${id}.${dispatch}`,
          priority: Number(priority) + 1,
          removeOnComplete: true,
          removeOnFail: true,
          attempts: 1,
        },
      });
      byType.set(String(type), list);
    }
    await Promise.all(
      [...byType].map(async ([type, jobs]) => {
        // One add per job rather than addBulk: BullMQ's bulk add runs its scripts inside MULTI, where
        // ioredis sends every script's full text instead of its SHA (slow on both ends).
        const queue = this.queue(type);
        await Promise.all(jobs.map((j) => queue.add(j.name, j.data, j.opts)));
        this.announceReady(type);
      }),
    );
  }

  /** Tells workers everywhere that a type has work, once per tick however many jobs were added. */
  private announceReady(type: string): void {
    if (this.readyTypes.size === 0) {
      setImmediate(() => {
        const types = [...this.readyTypes];
        this.readyTypes.clear();
        for (const t of types) {
          this.options.client
            .publish(`${this.options.ns}:signals`, JSON.stringify({ kind: 'ready', type: t }))
            .catch((e: unknown) => this.options.log.debug({ err: e }, 'could not announce ready jobs'));
        }
      });
    }
    this.readyTypes.add(type);
  }

  async close(): Promise<void> {
    const all: Array<Queue | Worker> = [...this.workers.values(), ...this.queues.values()];
    for (const x of all) {
      try {
        await x.close();
      } catch (e) {
        this.options.log.debug({ err: e }, 'error while closing a BullMQ queue');
      }
    }
  }
}
