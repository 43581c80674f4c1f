import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/helpers/paths.js';
import { createServices, type Services } from '../app.js';
import { loadConfig } from '../config/load-config.js';
import { isReelforgeError } from '../errors.js';
import { silentLogger } from '../log.js';
import { startServer } from './start-server.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function services(host: string): Promise<Services> {
  const dataDir = makeTempDir('start-server');
  const s = await createServices(loadConfig({ dataDir, server: { host, port: 0, runJobs: false } }), {
    log: silentLogger(),
  });
  cleanups.push(async () => {
    await s.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return s;
}

describe('startServer', () => {
  it('refuses a non-loopback address while no API token exists', async () => {
    const s = await services('0.0.0.0');
    const error = await startServer(s).catch((e: unknown) => e);
    expect(isReelforgeError(error, 'SERVER_UNSAFE_BIND')).toBe(true);
    expect((error as Error).message).toContain('reelforge token create');
  });

  it('listens anywhere once a token exists, and is then not open', async () => {
    const s = await services('0.0.0.0');
    s.tokens.create({ name: 'ci', owner: 'ci', scopes: ['read'] });
    const server = await startServer(s);
    cleanups.push(() => server.close());
    expect(server.open).toBe(false);
    const port = new URL(server.url).port;
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/me`)).status).toBe(401);
  });

  it('runs open on loopback without tokens and closes idempotently', async () => {
    const s = await services('127.0.0.1');
    const server = await startServer(s);
    expect(server.open).toBe(true);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await Promise.all([server.close(), server.close()]);
    await s.close();
    await s.close();
  });
});
