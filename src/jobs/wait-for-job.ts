import type { JobDetail, JobQueue } from './job-queue.js';
import { isFinished } from './job-queue.js';

/**
 * Resolves with the job once it is completed, failed or cancelled. Listens to events and also looks
 * every `pollMs`, so a missed event only delays the answer.
 */
export function waitForJob(
  queue: JobQueue,
  id: string,
  options: { signal?: AbortSignal; pollMs?: number } = {},
): Promise<JobDetail> {
  return new Promise((resolve, reject) => {
    let done = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      unsubscribe();
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const check = () => {
      queue.get(id).then(
        (job) => {
          if (isFinished(job.state)) finish(() => resolve(job));
        },
        (e: unknown) => finish(() => reject(e)),
      );
    };
    const onAbort = () => finish(() => reject(options.signal?.reason));
    const unsubscribe = queue.subscribe(() => check(), {
      jobId: id,
      types: ['job.completed', 'job.failed', 'job.cancelled'],
    });
    const poll = () => {
      check();
      if (!done) timer = setTimeout(poll, options.pollMs ?? 1_000);
    };
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    poll();
  });
}
