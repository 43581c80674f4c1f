import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A private redis-server for one test file. */
export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** Idempotent. */
  stop(): Promise<void>;
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(500);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      reply += d.toString();
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply.startsWith('+PONG'));
      }
    });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * Starts `redis-server` on a free port with persistence off, in a temporary folder, and waits until it
 * answers PING. Fails with a clear message if redis-server is not installed (`.ci/run` installs it).
 */
export async function startRedis(options: { binary?: string } = {}): Promise<RedisServer> {
  const binary = options.binary ?? process.env.REDIS_SERVER ?? 'redis-server';
  const dir = mkdtempSync(join(tmpdir(), 'reelforge-redis-'));
  for (let tries = 0; ; tries++) {
    const port = await freePort();
    const child: ChildProcess = spawn(
      binary,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += d.toString();
    });
    const exited = new Promise<NodeJS.ErrnoException | number | null>((resolve) => {
      child.once('error', resolve);
      child.once('exit', (code) => resolve(code));
    });
    let gone: NodeJS.ErrnoException | number | null | undefined;
    void exited.then((v) => {
      gone = v;
    });
    const until = Date.now() + 10_000;
    while (gone === undefined && Date.now() < until && !(await ping(port))) {
      await new Promise((r) => setTimeout(r, 25));
    }
    if (gone === undefined && (await ping(port))) {
      let stopping: Promise<void> | null = null;
      return {
        url: `redis://127.0.0.1:${port}`,
        port,
        stop() {
          stopping ??= (async () => {
            if (gone === undefined) {
              child.kill('SIGTERM');
              await Promise.race([exited, new Promise((r) => setTimeout(r, 3_000))]);
              if (gone === undefined) child.kill('SIGKILL');
            }
            rmSync(dir, { recursive: true, force: true });
          })();
          return stopping;
        },
      };
    }
    child.kill('SIGKILL');
    if (gone instanceof Error && gone.code === 'ENOENT') {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(
        `redis-server not found (tried "${binary}"). Install it (Debian: apt-get install redis-server; .ci/run does this) or set REDIS_SERVER to its path.`,
      );
    }
    // Someone took the port between the probe and the start: try another.
    if (tries >= 3) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`redis-server did not start: ${stderr.trim() || `exit ${String(gone)}`}`);
    }
  }
}
