import { mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../test/helpers/paths.js';
import { WorkerPool } from './worker-pool.js';
import type { WorkerInit } from './worker-protocol.js';

/**
 * The pool's failure paths with stand-in worker scripts (a `frame-worker.js` next to the URL the pool
 * is given): a worker that cannot start, one that dies mid-task, one that hangs.
 */

let dir: string;
const init: WorkerInit = {
  ffmpeg: { ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe', version: '5.1', major: 5, protocols: ['file'] },
  renderers: 1,
  sharedCacheBytes: 1024,
};
const task = {
  type: 'frame',
  time: 0,
  format: 'jpeg',
  renderer: { key: 'k', scale: 1, level: 'full' },
} as never;

beforeAll(() => {
  dir = makeTempDir('worker-pool');
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Writes a stand-in `frame-worker.js`; returns the module URL a pool finds it next to. */
function standIn(name: string, source: string): string {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'frame-worker.js'), source);
  return pathToFileURL(join(folder, 'worker-pool.js')).href;
}

/** A pool whose workers run `source` as their entry. */
function poolWith(name: string, source: string, hardTimeoutMs = 30_000, size = 1): WorkerPool {
  return new WorkerPool({ size, init, hardTimeoutMs, moduleUrl: standIn(name, source) });
}

describe('WorkerPool', () => {
  // Answers each frame after `time` ms with its thread id as the width.
  const echo = `import { parentPort, threadId } from 'node:worker_threads';
    parentPort.on('message', (m) => {
      if (m.type === 'close') return parentPort.close();
      setTimeout(() => parentPort.postMessage({
        type: 'done', id: m.id, frames: [{ bytes: new Uint8Array(1), width: threadId, height: 1, time: m.time }], renderMs: 1,
      }), m.time);
    });`;
  const at = (delay: number) => ({ ...(task as object), time: delay }) as never;
  const thread = async (p: Promise<{ frames: Array<{ width: number }> }>) => (await p).frames[0]?.width;

  it('keeps one user on a warm worker and spreads concurrent work over all of them', async () => {
    const two = poolWith('echo', echo, 30_000, 2);
    try {
      const [x, y] = await Promise.all([thread(two.run(at(50), 'x')), thread(two.run(at(50), 'y'))]);
      expect(x).not.toBe(y); // both idle: one each
      // One after another, each goes back to its warm worker.
      for (let i = 0; i < 3; i++) {
        expect(await thread(two.run(at(0), 'x'))).toBe(x);
        expect(await thread(two.run(at(0), 'y'))).toBe(y);
      }
      // x's worker is busy and the other idle: the next x goes to the idle one (which warms up for x).
      const busy = two.run(at(200), 'x');
      expect(await thread(two.run(at(0), 'x'))).toBe(y);
      await busy;
      expect(two.stats().rendered).toBe(10);
    } finally {
      await two.close();
    }
    expect(two.stats().workers).toBe(0);
  });

  it('prefers, between idle workers, the one warm for the task', async () => {
    const two = poolWith('echo', echo, 30_000, 2);
    try {
      const [x, y] = await Promise.all([thread(two.run(at(20), 'x')), thread(two.run(at(20), 'y'))]);
      for (let i = 0; i < 4; i++) {
        expect(await thread(two.run(at(0), i % 2 ? 'x' : 'y'))).toBe(i % 2 ? x : y);
      }
    } finally {
      await two.close();
    }
  });
});

describe('WorkerPool failures', () => {
  it('a worker that cannot start fails its tasks with the reason, and is not restarted in a loop', async () => {
    const pool = poolWith('broken', "throw new Error('broken install');");
    try {
      for (let i = 0; i < 3; i++) {
        await expect(pool.run(task, 'a')).rejects.toMatchObject({
          code: 'RENDER_FAILED',
          message: expect.stringContaining('broken install'),
        });
      }
      // Three in a row: the pool pauses before starting another.
      expect(pool.stats().workers).toBe(0);
      await expect(pool.run(task, 'a')).rejects.toThrow(
        /no preview worker is running: they fail to start \(broken install\)/,
      );
      expect(pool.stats().workers).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('a worker that dies mid-task fails that task and is replaced for the next', async () => {
    const pool = poolWith(
      'dies',
      // The first worker to get a frame dies (leaving a mark); its replacement answers.
      `import { existsSync, writeFileSync } from 'node:fs';
       import { parentPort } from 'node:worker_threads';
       const mark = new URL('./died', import.meta.url);
       parentPort.on('message', (m) => {
         if (m.type !== 'frame') return;
         if (!existsSync(mark)) {
           writeFileSync(mark, '');
           process.exit(7);
         }
         parentPort.postMessage({ type: 'done', id: m.id, frames: [], renderMs: 1 });
       });`,
    );
    try {
      const first = pool.run(task, 'a');
      const second = pool.run({ ...(task as object), time: 1 } as never, 'a');
      await expect(first).rejects.toThrow(/a preview worker stopped while rendering \(exit code 7\)/);
      // The queued task moved to the replacement, which answers it.
      await expect(second).resolves.toMatchObject({ frames: [] });
      expect(pool.stats()).toMatchObject({ workers: 1, busy: 0, queued: 0 });
    } finally {
      await pool.close(100); // this stand-in ignores `close`: terminated after the grace period
    }
    expect(pool.stats().workers).toBe(0);
  });

  it('a hung worker is replaced after the hard timeout', async () => {
    const pool = poolWith(
      'hangs',
      `import { parentPort } from 'node:worker_threads';
       parentPort.on('message', () => {});`,
      300,
    );
    try {
      await expect(pool.run(task, 'a')).rejects.toThrow(/took longer than 300 ms/);
      expect(pool.stats().workers).toBe(1);
    } finally {
      // The replacement ignores `close` too: terminated after the grace period.
      await pool.close(100);
    }
    expect(pool.stats().workers).toBe(0);
  });
});
