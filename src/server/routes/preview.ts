import type { Services } from '../../app.js';
import { memoSuccess } from '../../memo.js';
import { FrameService } from '../../preview/engine/index.js';
import { PreviewHub } from '../../preview/session/index.js';
import type { AuthPolicy } from '../auth-policy.js';
import { RateLimiter } from '../rate-limiter.js';
import type { App } from '../types.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Live preview sessions at /preview. */
    preview: PreviewHub;
  }
}

/**
 * The preview hub and its frame service, built from the configuration (`server.preview`). The frame
 * service needs ffmpeg, so it is created on the first session rather than with the app. `close` ends
 * the sessions, then stops the render workers.
 */
export function createPreview(
  services: Services,
  auth: AuthPolicy,
): { hub: PreviewHub; close(): Promise<void> } {
  const c = services.config.server.preview;
  // Video files → their preview proxies (made by asset processing), learnt as sessions resolve media.
  const proxies = new Map<string, string>();
  const videoResolved = async (assetId: string, path: string) => {
    const proxy = await services.derivatives.proxyFor(assetId).catch(() => null);
    if (proxy) proxies.set(path, proxy.path);
  };
  // Needs ffmpeg, so made on the first session; a failure (no ffmpeg yet) is tried again next time.
  const frames = memoSuccess(async () => {
    const ffmpeg = await services.ffmpeg();
    return new FrameService({
      ffmpeg,
      cacheBytes: c.cacheBytes,
      workers: c.workers,
      breaker: c.breaker,
      proxyFor: (path) => proxies.get(path) ?? null,
    });
  });
  const hub = new PreviewHub(
    {
      storage: { projects: services.projects, assets: services.assets, blobs: services.blobs, videoResolved },
      frames,
      auth: {
        onUpgrade: (h) =>
          auth.fromHeader(h.authorization) ?? auth.anonymous({ host: h.host, origin: h.origin }),
        fromToken: (token) => auth.fromToken(token),
      },
      limiter: new RateLimiter(c.rateLimit),
      log: services.log.child({ component: 'preview' }),
    },
    {
      heartbeatMs: c.heartbeatMs,
      authTimeoutMs: c.authTimeoutMs,
      idleTimeoutMs: c.idleTimeoutMs,
      maxSessions: c.maxSessions,
      sessionsPerConnection: c.sessionsPerConnection,
      membersPerSession: c.membersPerSession,
      maxMessageBytes: c.messageBytes,
      holdAboveBytes: c.holdAboveBytes,
      prefetchDelayMs: c.prefetchDelayMs,
    },
  );
  let closing: Promise<void> | null = null;
  return {
    hub,
    close() {
      closing ??= (async () => {
        await hub.close();
        const made = frames.made();
        if (made) await (await made.catch(() => null))?.close();
      })();
      return closing;
    },
  };
}

/** The WebSocket endpoint at /preview (protocol in docs/preview-protocol.md); the hub is `app.preview`. */
export async function previewRoutes(app: App): Promise<void> {
  app.get(
    '/preview',
    {
      websocket: true,
      config: { public: true },
      schema: {
        tags: ['preview'],
        summary: 'WebSocket: live preview sessions',
        description:
          'Authenticate as on /ws (`Authorization: Bearer` on the upgrade or {"type":"auth","token":…}); then ' +
          'session.create / session.join, params.update, frame.request (binary frames), frames.strip, stats, ping. ' +
          'See docs/preview-protocol.md.',
      },
    },
    (socket, request) => app.preview.accept(socket, request.headers),
  );
}
