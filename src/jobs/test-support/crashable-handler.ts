import { appendFileSync } from 'node:fs';
import { z } from 'zod';
import { defineJobHandler } from '../handlers.js';

/**
 * For the crash test: writes "start <attempt> <pid>" to a marker file, hangs on its first attempt (so the
 * test can SIGKILL the worker mid-job), and on a later attempt writes "done <attempt> <pid>".
 */
export const crashableHandler = defineJobHandler({
  type: 'crashable',
  schema: z.object({ marker: z.string() }),
  retry: { attempts: 3, backoffMs: 10 },
  async run({ payload, attempt, signal }) {
    appendFileSync(payload.marker, `start ${attempt} ${process.pid}\n`);
    if (attempt === 1) {
      await new Promise((_, reject) =>
        signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
      );
    }
    appendFileSync(payload.marker, `done ${attempt} ${process.pid}\n`);
    return { pid: process.pid };
  },
});
