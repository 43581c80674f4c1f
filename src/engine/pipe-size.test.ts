import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { composeAddon } from './kernels/kernels.js';
import { enlargeStdinBuffer } from './pipe-size.js';

describe('enlargeStdinBuffer', () => {
  it.runIf(composeAddon() !== null && process.platform === 'linux')(
    'grows the buffer behind a child’s stdin and the bytes still arrive whole',
    async () => {
      const child = spawn('wc', ['-c'], { stdio: ['pipe', 'pipe', 'inherit'] });
      const size = enlargeStdinBuffer(child.stdin, 4 * 2 ** 20);
      // Privileged: what was asked (the kernel doubles it); otherwise at least the system default.
      expect(size).toBeGreaterThanOrEqual(200_000);
      let out = '';
      child.stdout.on('data', (d) => {
        out += String(d);
      });
      child.stdin.end(Buffer.alloc(3 * 2 ** 20, 7));
      await once(child, 'close');
      expect(out.trim()).toBe(String(3 * 2 ** 20));
    },
  );

  it('returns null for a stream without a file descriptor', async () => {
    const { PassThrough } = await import('node:stream');
    expect(enlargeStdinBuffer(new PassThrough(), 2 ** 20)).toBeNull();
  });
});
