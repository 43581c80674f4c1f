/**
 * API benchmark: the HTTP API and the WebSocket hub of a real server in a child process.
 *
 *   npm run bench:api
 *   BENCH_SECONDS=10 BENCH_RUNS=5 npm run bench:api
 *
 * The server runs in its own process (as `reelforge serve` would: SQLite, a data folder, a bearer
 * token on every request, the rate limit off) so that the load generator does not share its event
 * loop. Reads: 50 keep-alive connections, each sending its next request as soon as the previous one
 * answered, for BENCH_SECONDS after a warm-up; requests per second and latency percentiles, median
 * over BENCH_RUNS with the spread. Endpoints: GET /projects/:id (a project with a 20-clip timeline)
 * and GET /renders/:id (a completed render's status: job state, step tree, result).
 * Fan-out: 100 WebSocket clients follow the all-jobs topic while renders are queued and cancelled
 * (two job events each); delivery rate and the delay from the event's creation to its arrival.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import WebSocket from 'ws';
import { machine, median, printTable, RssPeak, spreadPct } from './lib/report.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CONNECTIONS = 50;
const SUBSCRIBERS = 100;
const FANOUT_JOBS = Number(process.env.BENCH_FANOUT_JOBS ?? 200);
const workDir = join(import.meta.dirname, '.work', 'api');

// ---------------------------------------------------------------------------------------------------
// Server side (this file, forked with --server)

async function serverMain(): Promise<void> {
  const { createServices } = await import('../src/app.js');
  const { loadConfig } = await import('../src/config/load-config.js');
  const { silentLogger } = await import('../src/log.js');
  const { startServer } = await import('../src/server/start-server.js');
  const { waitForJob } = await import('../src/jobs/index.js');
  rmSync(workDir, { recursive: true, force: true });
  const config = loadConfig({
    dataDir: workDir,
    log: { level: 'silent' },
    server: { host: '127.0.0.1', port: 0, rateLimit: { perMinute: 0 } },
  });
  const services = await createServices(config, { log: silentLogger() });
  const { token } = services.tokens.create({ name: 'bench', owner: 'bench', scopes: ['admin'] });
  const server = await startServer(services);
  const rss = new RssPeak(50);
  process.on('message', async (m: { cmd: string; id?: string }) => {
    if (m.cmd === 'wait-and-stop-jobs') {
      await waitForJob(services.queue, m.id!, { pollMs: 50 });
      await services.startJobs()?.close(); // later renders stay queued: the fan-out cancels them
      process.send?.({ cmd: 'jobs-stopped' });
    } else if (m.cmd === 'rss') {
      process.send?.({ cmd: 'rss', peakRss: rss.peak, rss: process.memoryUsage().rss });
    } else if (m.cmd === 'stop') {
      rss.stop();
      await server.close();
      await services.close();
      process.exit(0);
    }
  });
  process.send?.({ cmd: 'ready', url: server.url, token });
}

// ---------------------------------------------------------------------------------------------------
// Load side

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

interface Server {
  child: ChildProcess;
  url: string;
  token: string;
  call<T>(msg: { cmd: string; id?: string }, reply: string): Promise<T>;
}

async function startServerProcess(): Promise<Server> {
  const child = fork(import.meta.filename, ['--server'], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const ready = await new Promise<{ url: string; token: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { url: string; token: string }));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return {
    child,
    ...ready,
    call<T>(msg: { cmd: string; id?: string }, reply: string) {
      return new Promise<T>((resolve) => {
        const on = (m: unknown) => {
          if ((m as { cmd: string }).cmd !== reply) return;
          child.off('message', on);
          resolve(m as T);
        };
        child.on('message', on);
        child.send(msg);
      });
    },
  };
}

async function api<T>(
  s: Server,
  method: string,
  path: string,
  body?: unknown,
  raw?: Buffer,
  type?: string,
): Promise<T> {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${s.token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : type ? { 'content-type': type } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : raw,
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A project and a completed render to read, made through the API. */
async function seed(s: Server): Promise<{ projectId: string; renderId: string }> {
  const png = await sharp({ create: { width: 64, height: 36, channels: 3, background: '#336699' } })
    .png()
    .toBuffer();
  const asset = await api<{ ref: string }>(s, 'POST', '/assets?name=bench.png', undefined, png, 'image/png');
  const clips = Array.from({ length: 20 }, (_, i) => ({
    type: 'image',
    src: asset.ref,
    start: i * 0.05,
    duration: 0.05,
    camera: { from: { zoom: 1 }, to: { zoom: 1.2, x: 0.4, y: 0.6 } },
  }));
  const timeline = {
    output: { width: 64, height: 36, fps: 20, profile: 'economy' },
    tracks: [{ id: 'pictures', clips }],
  };
  const project = await api<{ id: string }>(s, 'POST', '/projects', { name: 'Bench', timeline });
  const render = await api<{ id: string }>(s, 'POST', '/renders', { projectId: project.id });
  await s.call({ cmd: 'wait-and-stop-jobs', id: render.id }, 'jobs-stopped');
  const status = await api<{ state: string }>(s, 'GET', `/renders/${render.id}`);
  if (status.state !== 'completed') throw new Error(`seed render ended ${status.state}`);
  return { projectId: project.id, renderId: render.id };
}

interface LoadResult {
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
}

/** CONNECTIONS keep-alive connections, each with one request in flight, for `seconds`. */
async function load(s: Server, path: string, seconds: number): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const url = new URL(path, s.url);
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const req = request(url, { agent, headers: { authorization: `Bearer ${s.token}` } }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => {
          if (res.statusCode === 200) latencies.push(performance.now() - t0);
          else errors++;
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end();
    });
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < end) await one();
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    rps: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    errors,
  };
}

interface FanoutResult {
  events: number;
  /** Job events produced per second (renders queued and cancelled one after another). */
  eventsPerSec: number;
  deliveries: number;
  deliveriesPerSec: number;
  p50: number;
  p95: number;
  p99: number;
  missing: number;
}

/** SUBSCRIBERS clients on the all-jobs topic; renders queued and cancelled; every event timed to each client. */
async function fanout(s: Server, jobs: number): Promise<FanoutResult> {
  const wsUrl = `${s.url.replace('http', 'ws')}/ws`;
  const clients = await Promise.all(
    Array.from({ length: SUBSCRIBERS }, async () => {
      const ws = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${s.token}` } });
      const delays: number[] = [];
      ws.on('message', (data) => {
        const m = JSON.parse(String(data)) as { type: string; event?: { at: number } };
        if (m.type === 'event' && m.event) delays.push(Date.now() - m.event.at);
      });
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      await new Promise<void>((resolve) => {
        const on = (data: unknown) => {
          if ((JSON.parse(String(data)) as { type: string }).type !== 'subscribed') return;
          ws.off('message', on);
          resolve();
        };
        ws.on('message', on);
        ws.send(JSON.stringify({ type: 'subscribe', topic: 'jobs' }));
      });
      return { ws, delays };
    }),
  );
  const timeline = {
    output: { width: 64, height: 36, fps: 10 },
    tracks: [{ clips: [{ type: 'color', color: '#204060', start: 0, duration: 1 }] }],
  };
  const expected = jobs * 2;
  const t0 = performance.now();
  for (let i = 0; i < jobs; i++) {
    const r = await api<{ id: string }>(s, 'POST', '/renders', { timeline });
    await api(s, 'POST', `/renders/${r.id}/cancel`);
  }
  const deadline = Date.now() + 30_000;
  while (clients.some((c) => c.delays.length < expected) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 10));
  const elapsed = (performance.now() - t0) / 1000;
  const all = clients.flatMap((c) => c.delays).sort((a, b) => a - b);
  for (const c of clients) c.ws.close();
  return {
    events: expected,
    eventsPerSec: expected / elapsed,
    deliveries: all.length,
    deliveriesPerSec: all.length / elapsed,
    p50: percentile(all, 50),
    p95: percentile(all, 95),
    p99: percentile(all, 99),
    missing: expected * SUBSCRIBERS - all.length,
  };
}

async function loadMain(): Promise<void> {
  console.log(
    `machine: ${machine()}; load average ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
  );
  const s = await startServerProcess();
  try {
    const { projectId, renderId } = await seed(s);
    const endpoints = [
      ['GET /projects/:id', `/projects/${projectId}`],
      ['GET /renders/:id', `/renders/${renderId}`],
    ] as const;
    const rows: Array<Array<string | number>> = [
      ['endpoint', 'req/s (median)', 'spread %', 'p50 ms', 'p95 ms', 'p99 ms', 'errors'],
    ];
    const json: Record<string, unknown> = {};
    for (const [name, path] of endpoints) {
      await load(s, path, 2); // warm-up
      const runs: LoadResult[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await load(s, path, SECONDS));
      const rps = runs.map((r) => r.rps);
      const row = {
        rps: round(median(rps), 0),
        spreadPct: round(spreadPct(rps), 1),
        p50: round(median(runs.map((r) => r.p50)), 2),
        p95: round(median(runs.map((r) => r.p95)), 2),
        p99: round(median(runs.map((r) => r.p99)), 2),
        errors: runs.reduce((n, r) => n + r.errors, 0),
      };
      json[name] = { ...row, runs };
      rows.push([name, row.rps, row.spreadPct, row.p50, row.p95, row.p99, row.errors]);
    }
    const f = await fanout(s, FANOUT_JOBS);
    json.fanout = { subscribers: SUBSCRIBERS, ...f };
    const mem = await s.call<{ peakRss: number }>({ cmd: 'rss' }, 'rss');
    json.serverPeakRssMb = round(mem.peakRss / 2 ** 20, 0);
    console.log(`\n${CONNECTIONS} connections, ${RUNS} runs of ${SECONDS} s after a 2 s warm-up:`);
    printTable(rows);
    console.log(
      `\nfan-out: ${SUBSCRIBERS} WebSocket subscribers, ${f.events} job events (${FANOUT_JOBS} renders queued and cancelled)`,
    );
    printTable([
      ['events/s', 'deliveries', 'deliveries/s', 'delay p50 ms', 'p95 ms', 'p99 ms', 'missing'],
      [round(f.eventsPerSec, 0), f.deliveries, round(f.deliveriesPerSec, 0), f.p50, f.p95, f.p99, f.missing],
    ]);
    console.log(`\nserver peak RSS ${json.serverPeakRssMb} MB`);
    console.log(
      `\n${JSON.stringify({ machine: machine(), connections: CONNECTIONS, seconds: SECONDS, runs: RUNS, ...json })}`,
    );
  } finally {
    s.child.send({ cmd: 'stop' });
    await new Promise((resolve) => s.child.once('exit', resolve));
    rmSync(workDir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--server')) await serverMain();
else await loadMain();
