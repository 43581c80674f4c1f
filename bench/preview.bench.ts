/**
 * Preview benchmark (`npm run bench:preview`): the live preview on the render benchmark's 1080p30
 * slideshow (12 photos of 3000×2000, camera moves, crossfades, a title).
 *
 *   npm run bench:preview
 *   npm run bench:preview -- --sessions 2 --frames 4      # a quick check
 *
 * 1. The frame service alone (in this process): per quality level, `--frames` frames at times spread
 *    over the timeline, rendered one after another with `noCache` (uncached), then again from the
 *    cache; and the same with motion blur on (shutter 0.5), to give the cost per motion-blur sample.
 * 2. The server (a child process, as `reelforge serve` would run): `--sessions` WebSocket clients,
 *    each in its own session on the same project, scrub at once — each asks for a frame, waits for it,
 *    asks for the next — per quality level, first at times nobody asked for yet (uncached), then the
 *    same times again (cached). Latency from request to the frame's arrival, p50 and p95, and frames
 *    served per second across all sessions. Then the time from `params.update` to the new preview frame.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { QUALITY_LEVELS } from '../src/engine/effects/quality.js';
import { findFfmpeg } from '../src/media/index.js';
import { FrameService, QUALITIES, type Quality } from '../src/preview/engine/index.js';
import { PreviewClient } from '../src/preview/session/test-support/preview-client.js';
import { frameTime, parseTimeline, type TimelineInput } from '../src/timeline/index.js';
import { machine, median, numberOption, printTable } from './lib/report.js';
import { ensureSlideshowMedia, slideshowTimeline } from './lib/slideshow.js';

const SESSIONS = numberOption('sessions', 10);
const FRAMES = numberOption('frames', 30);
const slideshow = { seconds: 31, photos: 12 };
const media = join(import.meta.dirname, '.work', 'render', 'media');
const workDir = join(import.meta.dirname, '.work', 'preview');

function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const stat = (xs: readonly number[]) => ({
  p50: round(percentile(xs, 50), 2),
  p95: round(percentile(xs, 95), 2),
});

/** Without the music: frames do not need it, and the server's copy would need it uploaded too. */
function pictureTimeline(): TimelineInput {
  const t = slideshowTimeline(media, slideshow);
  return { ...t, tracks: t.tracks.filter((track) => track.id !== 'music') };
}

/** Frame `i` of the output spread over the timeline, so consecutive requests land on different frames. */
const spreadTime = (i: number) => frameTime((i * 37) % (slideshow.seconds * 30 - 1), 30);

// ---------------------------------------------------------------------------------------------------
// Part 1: the frame service alone

async function engineBench() {
  const ff = await findFfmpeg({});
  const plain = parseTimeline(pictureTimeline());
  const blurred = parseTimeline({ ...pictureTimeline(), params: { motionBlur: 0.5 } });
  const service = new FrameService({ ffmpeg: ff });
  try {
    const times = Array.from({ length: FRAMES }, (_, i) => spreadTime(i + 1));
    const rows: Record<string, { uncached: number[]; cached: number[]; blurred: number[] }> = {};
    for (const quality of QUALITIES) {
      const format = quality === 'full' ? 'png' : 'jpeg';
      // Warm-up: workers started, every picture decoded for this quality (a first pass over the
      // timeline, one frame a second, as someone opening the project and scrubbing through it once).
      for (let t = 0.5; t < slideshow.seconds; t += 1)
        await service.render({ timeline: plain, time: t, quality, format, noCache: true });
      const row = { uncached: [] as number[], cached: [] as number[], blurred: [] as number[] };
      for (const time of times) {
        const t0 = performance.now();
        await service.render({ timeline: plain, time, quality, format, noCache: true });
        row.uncached.push(performance.now() - t0);
      }
      for (const time of times) await service.render({ timeline: plain, time, quality, format });
      for (const time of times) {
        const t0 = performance.now();
        const r = await service.render({ timeline: plain, time, quality, format });
        row.cached.push(performance.now() - t0);
        if (!r.cacheHit) throw new Error(`expected a cache hit at ${quality} ${time}`);
      }
      if (quality !== 'wireframe') {
        await service.render({ timeline: blurred, time: 0.5, quality, format, noCache: true });
        for (const time of times) {
          const t0 = performance.now();
          await service.render({ timeline: blurred, time, quality, format, noCache: true });
          row.blurred.push(performance.now() - t0);
        }
      }
      rows[quality] = row;
    }
    return { rows, stats: service.stats() };
  } finally {
    await service.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// Part 2: the server (this file, forked with --server)

async function serverMain(): Promise<void> {
  const { createServices } = await import('../src/app.js');
  const { loadConfig } = await import('../src/config/load-config.js');
  const { silentLogger } = await import('../src/log.js');
  const { startServer } = await import('../src/server/start-server.js');
  rmSync(workDir, { recursive: true, force: true });
  const config = loadConfig({
    dataDir: workDir,
    log: { level: 'silent' },
    server: {
      host: '127.0.0.1',
      port: 0,
      rateLimit: { perMinute: 0 },
      limits: { bodyBytes: 64 * 1_048_576 },
      // Prefetch would render frames the benchmark then finds cached; it is measured as off.
      preview: {
        prefetchDelayMs: 0,
        rateLimit: { perMinute: 0 },
        maxSessions: 1_000,
        sessionsPerConnection: 4,
      },
    },
  });
  const services = await createServices(config, { log: silentLogger() });
  const { token } = services.tokens.create({ name: 'bench', owner: 'bench', scopes: ['admin'] });
  const server = await startServer(services);
  process.on('message', async (m: { cmd: string }) => {
    if (m.cmd === 'stop') {
      await server.close();
      await services.close();
      process.exit(0);
    }
  });
  process.send?.({ url: server.url, token });
}

interface Server {
  child: ChildProcess;
  url: string;
  token: string;
}

async function startServerProcess(): Promise<Server> {
  const child = fork(import.meta.filename, ['--server'], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const ready = await new Promise<{ url: string; token: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { url: string; token: string }));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { child, ...ready };
}

/** Uploads the photos and saves the slideshow as a project naming them as assets. */
async function seedProject(s: Server): Promise<string> {
  const timeline = pictureTimeline();
  const refs = new Map<string, string>();
  for (const track of timeline.tracks) {
    for (const clip of track.clips) {
      if (clip.type !== 'image' || refs.has(clip.src)) continue;
      const res = await fetch(`${s.url}/assets?name=${basename(clip.src)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/octet-stream' },
        body: readFileSync(clip.src),
      });
      if (res.status !== 201) throw new Error(`upload ${clip.src}: ${res.status} ${await res.text()}`);
      refs.set(clip.src, ((await res.json()) as { ref: string }).ref);
    }
  }
  const withRefs = JSON.parse(JSON.stringify(timeline), (key, value: unknown) =>
    key === 'src' && typeof value === 'string' ? (refs.get(value) ?? value) : value,
  ) as TimelineInput;
  const res = await fetch(`${s.url}/projects`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'preview bench', timeline: withRefs }),
  });
  if (res.status !== 201) throw new Error(`project: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

interface Scrub {
  latency: number[];
  renderMs: number[];
  hits: number;
  frames: number;
  seconds: number;
}

/** Every session scrubs its own times at once: request, wait for the frame, next. */
async function scrub(
  clients: Array<{ c: PreviewClient; sessionId: string }>,
  quality: Quality,
  round: string,
): Promise<Scrub> {
  const out: Scrub = { latency: [], renderMs: [], hits: 0, frames: 0, seconds: 0 };
  const format = quality === 'full' ? 'png' : 'jpeg';
  const t0 = performance.now();
  await Promise.all(
    clients.map(async ({ c, sessionId }, k) => {
      for (let j = 0; j < FRAMES; j++) {
        const requestId = `${round}-${quality}-${k}-${j}`;
        const sent = performance.now();
        const f = await c.frame(
          { sessionId, requestId, quality, format, time: spreadTime(1 + k + j * clients.length) },
          120_000,
        );
        if (f.type !== 'frame') throw new Error(`${requestId}: ${JSON.stringify(f)}`);
        out.latency.push(performance.now() - sent);
        out.renderMs.push(f.renderMs as number);
        if (f.cacheHit) out.hits++;
        out.frames++;
      }
    }),
  );
  out.seconds = (performance.now() - t0) / 1000;
  return out;
}

/**
 * params.update (a camera speed nobody used yet) → wait for params.updated → request the preview frame;
 * the whole, and the part until the update was acknowledged (validated, applied, cache invalidated).
 */
async function updateToFrame(
  c: PreviewClient,
  sessionId: string,
): Promise<{ total: number[]; ack: number[] }> {
  const out = { total: [] as number[], ack: [] as number[] };
  for (let i = 0; i < FRAMES; i++) {
    const t0 = performance.now();
    const updated = await c.request({
      type: 'params.update',
      sessionId,
      changes: [{ path: 'params.cameraSpeed', value: round(1.001 + i * 0.001, 3) }],
    });
    if (updated.type !== 'params.updated') throw new Error(JSON.stringify(updated));
    out.ack.push(performance.now() - t0);
    const f = await c.frame({ sessionId, requestId: `u${i}`, quality: 'preview', time: 5 }, 60_000);
    if (f.type !== 'frame' || f.version !== updated.version)
      throw new Error(`update ${i}: ${JSON.stringify(f)}`);
    out.total.push(performance.now() - t0);
  }
  return out;
}

async function serverBench() {
  const s = await startServerProcess();
  const clients: Array<{ c: PreviewClient; sessionId: string }> = [];
  try {
    const projectId = await seedProject(s);
    for (let k = 0; k < SESSIONS; k++) {
      const c = await PreviewClient.open(`${s.url.replace(/^http/, 'ws')}/preview`, {
        headers: { authorization: `Bearer ${s.token}` },
      });
      await c.next((m) => m.type === 'hello');
      const created = await c.request({ type: 'session.create', projectId });
      if (created.type !== 'session.created') throw new Error(JSON.stringify(created));
      clients.push({ c, sessionId: created.sessionId as string });
    }
    // Warm-up: each quality once, so workers have decoded the photos.
    for (const quality of QUALITIES) {
      const { c, sessionId } = clients[0]!;
      for (let t = 0.2, i = 0; t < slideshow.seconds; t += 1, i++)
        await c.frame({ sessionId, requestId: `warm-${quality}-${i}`, quality, time: t }, 120_000);
    }
    const rows: Record<string, { uncached: Scrub; cached: Scrub }> = {};
    for (const quality of QUALITIES) {
      const uncached = await scrub(clients, quality, 'first');
      const cached = await scrub(clients, quality, 'again');
      rows[quality] = { uncached, cached };
    }
    const update = await updateToFrame(clients[0]!.c, clients[0]!.sessionId);
    const stats = await clients[0]!.c.request({ type: 'stats' });
    return { rows, update, stats };
  } finally {
    for (const { c } of clients) await c.close();
    s.child.send({ cmd: 'stop' });
    await new Promise((resolve) => s.child.once('exit', resolve));
  }
}

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  ensureSlideshowMedia(media, slideshow);
  console.log(`preview benchmark: 1080p30 slideshow, ${SESSIONS} sessions, ${FRAMES} frames each per level`);
  console.log(machine());

  const engine = await engineBench();
  const engineRows: Array<Array<string | number>> = [
    [
      'level',
      'uncached p50 ms',
      'p95',
      'cached p50 ms',
      'p95',
      'blur 0.5 p50 ms',
      'blur samples',
      'ms / sample',
    ],
  ];
  const engineJson: Record<string, unknown> = {};
  for (const quality of QUALITIES) {
    const r = engine.rows[quality]!;
    const samples = quality === 'wireframe' ? 0 : QUALITY_LEVELS[quality].motionBlurSamples;
    const perSample = samples > 0 ? round((median(r.blurred) - median(r.uncached)) / samples, 2) : Number.NaN;
    engineRows.push([
      quality,
      stat(r.uncached).p50,
      stat(r.uncached).p95,
      stat(r.cached).p50,
      stat(r.cached).p95,
      samples > 0 ? stat(r.blurred).p50 : '—',
      samples || '—',
      samples > 0 ? perSample : '—',
    ]);
    engineJson[quality] = {
      uncached: stat(r.uncached),
      cached: stat(r.cached),
      ...(samples > 0 ? { motionBlur: { ...stat(r.blurred), samples, msPerSample: perSample } } : {}),
    };
  }
  console.log('\n1. frame service alone (one frame at a time):');
  printTable(engineRows);

  const server = await serverBench();
  const serverRows: Array<Array<string | number>> = [
    ['level', 'uncached p50 ms', 'p95', 'frames/s', 'cached p50 ms', 'p95', 'frames/s', 'hits'],
  ];
  const serverJson: Record<string, unknown> = {};
  for (const quality of QUALITIES) {
    const { uncached, cached } = server.rows[quality]!;
    const fps = (x: Scrub) => round(x.frames / x.seconds, 1);
    serverRows.push([
      quality,
      stat(uncached.latency).p50,
      stat(uncached.latency).p95,
      fps(uncached),
      stat(cached.latency).p50,
      stat(cached.latency).p95,
      fps(cached),
      `${cached.hits}/${cached.frames}`,
    ]);
    serverJson[quality] = {
      uncached: {
        ...stat(uncached.latency),
        fps: fps(uncached),
        renderMs: stat(uncached.renderMs),
        hits: uncached.hits,
      },
      cached: { ...stat(cached.latency), fps: fps(cached), hits: cached.hits },
    };
  }
  console.log(`\n2. over WebSocket, ${SESSIONS} sessions scrubbing at once (request → frame received):`);
  printTable(serverRows);
  const u = { total: stat(server.update.total), ack: stat(server.update.ack) };
  console.log(
    `\nparams.update → new preview frame: p50 ${u.total.p50} ms, p95 ${u.total.p95} ms ` +
      `(until params.updated: p50 ${u.ack.p50} ms, p95 ${u.ack.p95} ms)`,
  );
  console.log(
    `\n${JSON.stringify({
      machine: machine(),
      sessions: SESSIONS,
      frames: FRAMES,
      engine: engineJson,
      server: serverJson,
      paramsUpdateToFrame: { ...stat(server.update.total), acknowledged: stat(server.update.ack) },
      serverStats: server.stats.frames,
    })}`,
  );
}

if (process.argv.includes('--server')) await serverMain();
else await main();
