import { rmSync } from 'node:fs';
import { makeTempDir } from '../../../test/helpers/paths.js';
import { createServices, type Services } from '../../app.js';
import { loadConfig } from '../../config/load-config.js';
import type { ConfigInput } from '../../config/schema.js';
import { silentLogger } from '../../log.js';
import { buildApp } from '../build-app.js';
import type { App } from '../types.js';

export interface TestServer {
  services: Services;
  app: App;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `ws://127.0.0.1:<port>/ws` */
  wsUrl: string;
  dataDir: string;
  /** Sent when a request names no token of its own. */
  token?: string;
  /** fetch against the server with JSON helpers; `token` adds a bearer header. */
  request(path: string, init?: RequestInit & { token?: string; json?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

export type ServerConfigInput = NonNullable<ConfigInput['server']>;

/**
 * A real server on 127.0.0.1 and a free port, over a fresh data folder, with the given server settings.
 * Jobs run in-process when `startJobs` is set.
 */
export async function startTestServer(
  server: ServerConfigInput = {},
  options: { startJobs?: boolean; jobs?: ConfigInput['jobs']; configure?: (app: App) => void } = {},
): Promise<TestServer> {
  const dataDir = makeTempDir('server');
  const config = loadConfig({
    dataDir,
    log: { level: 'silent' },
    server: { host: '127.0.0.1', port: 0, ...server },
    jobs: { pollMs: 50, shutdownGraceMs: 0, ...options.jobs },
  });
  const services = await createServices(config, { log: silentLogger() });
  const app = await buildApp(services);
  options.configure?.(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  if (options.startJobs) services.startJobs();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  let closed: Promise<void> | null = null;
  const testServer: TestServer = {
    services,
    app,
    url,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    dataDir,
    request(path, init = {}) {
      const { json, token: own, ...rest } = init;
      const token = own ?? testServer.token;
      const headers = new Headers(rest.headers);
      if (token) headers.set('authorization', `Bearer ${token}`);
      let body = rest.body;
      if (json !== undefined) {
        headers.set('content-type', 'application/json');
        body = JSON.stringify(json);
      }
      return fetch(`${url}${path}`, { ...rest, headers, body });
    },
    close() {
      closed ??= (async () => {
        await app.close();
        await services.close();
        rmSync(dataDir, { recursive: true, force: true });
      })();
      return closed;
    },
  };
  return testServer;
}

/** The JSON of a stored asset, as POST /assets answers it (the fields tests read). */
export interface UploadedAsset {
  id: string;
  ref: string;
  hash: string;
  kind: string;
  mime: string;
}

/**
 * Uploads `body` as a raw POST /assets named `name` and returns the stored asset; throws unless the
 * server answered 201. `token` defaults to the server's own.
 */
export async function uploadAsset(
  s: TestServer,
  body: Buffer,
  name: string,
  opts: { type?: string; token?: string } = {},
): Promise<UploadedAsset> {
  const res = await s.request(`/assets?name=${encodeURIComponent(name)}`, {
    method: 'POST',
    body,
    headers: { 'content-type': opts.type ?? 'application/octet-stream' },
    ...(opts.token ? { token: opts.token } : {}),
  });
  if (res.status !== 201) throw new Error(`upload of ${name}: ${res.status} ${await res.text()}`);
  return (await res.json()) as UploadedAsset;
}
