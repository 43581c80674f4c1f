import type { Writable } from 'node:stream';
import { composeAddon } from './kernels/kernels.js';

/**
 * Enlarges the kernel buffer behind a child process's stdin (Node makes it a Unix socket of ~208 KB on
 * Linux; a pipe elsewhere) to hold `bytes`, so that a frame goes over in one or two writes instead of
 * ~15: each write needs the writer — compositing at a lower priority while the encoder's threads fill
 * the cores — to be scheduled again before ffmpeg can read on. A privileged process gets the size it
 * asks for, others what the system allows. Returns the buffer size in effect, or null when it could not
 * be changed (no addon): frames still flow, in smaller steps.
 */
export function enlargeStdinBuffer(stdin: Writable, bytes: number): number | null {
  const streamBuffer = composeAddon()?.streamBuffer as ((fd: number, bytes: number) => number) | undefined;
  const fd = (stdin as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  if (!streamBuffer || typeof fd !== 'number' || fd < 0) return null;
  const size = streamBuffer(fd, Math.min(bytes, 2 ** 30));
  return size > 0 ? size : null;
}
