import type { Services } from '../app.js';
import { assertSafeBind } from './auth-policy.js';
import { type BuildAppOptions, buildApp } from './build-app.js';
import type { App } from './types.js';

export interface RunningServer {
  app: App;
  /** `http://host:port` as bound (the real port when 0 was asked for). */
  url: string;
  /** Whether requests without a token are served (loopback, no tokens). */
  open: boolean;
  /** Stops accepting, closes WebSocket clients, lets requests in flight finish. Idempotent. */
  close(): Promise<void>;
}

/**
 * Builds the app on the services and listens where `server.host` / `server.port` say, after refusing
 * a non-loopback address without tokens (SERVER_UNSAFE_BIND); starts the in-process job worker.
 */
export async function startServer(services: Services, options: BuildAppOptions = {}): Promise<RunningServer> {
  const { host, port } = services.config.server;
  assertSafeBind(host, services.tokens);
  const app = await buildApp(services, options);
  await app.listen({ host, port });
  services.startJobs();
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  const shown = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | null = null;
  return {
    app,
    url: `http://${shown}:${bound}`,
    open: app.auth.isOpen(),
    close() {
      closing ??= app.close();
      return closing;
    },
  };
}
