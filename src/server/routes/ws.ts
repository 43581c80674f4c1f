import type { App } from '../types.js';

/** The WebSocket endpoint at /ws (protocol in ws/protocol.ts and docs/api.md); the hub is `app.hub`. */
export async function wsRoutes(app: App): Promise<void> {
  app.get(
    '/ws',
    {
      websocket: true,
      config: { public: true },
      schema: {
        tags: ['events'],
        summary: 'WebSocket: job and project events',
        description:
          'Authenticate with `Authorization: Bearer` on the upgrade or a first message {"type":"auth","token":…}; ' +
          'then {"type":"subscribe","topic":"job:<id>" | "project:<id>" | "jobs"}. See docs/api.md.',
      },
    },
    (socket, request) => app.hub.accept(socket, request.headers),
  );
}
