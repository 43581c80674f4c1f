/**
 * Ingest benchmark: resumable uploads (tus) into a real server in a child process.
 *
 *   npm run bench:ingest
 *   tsx bench/ingest.bench.ts --big-mb 64 --each-mb 16 --concurrent 4 --preview-mb 20 --runs 1   (small)
 *
 * 1. Throughput: one `--big-mb` file (default 1024) uploaded over loopback by a minimal tus client (one
 *    POST, one streaming PATCH), from the first byte to the asset existing (hashing, the sharp/ffprobe
 *    check and storing in the blob store — an fsync and a hard link — included), against a plain
 *    streamed disk copy of the same file (no fsync); ratio = copy time ÷ upload time (target ≥ 0.5).
 *    The same upload with tus-js-client is shown apart. Median of `--runs` (default 3); each upload's
 *    file differs in a few bytes, so none is de-duplicated.
 * 2. Memory: `--concurrent` (default 8) uploads of `--each-mb` (default 256) at once; the server
 *    process's peak resident memory above its level before, per upload (target ≤ 50 MB).
 * 3. Early preview: a `--preview-mb` (default 200) faststart MP4; the percentage of the upload that
 *    had arrived when the server announced its first preview on the WebSocket (target ≤ 25 %).
 *
 * The media are a WAV (a 44-byte header and PCM samples, written at disk speed at any size) and an
 * H.264 MP4 with noise (so it is large for its length), made once under bench/.work/ingest/media.
 */
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  openSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Upload } from 'tus-js-client';
import WebSocket from 'ws';
import { machine, median, numberOption, printTable, RssPeak, spreadPct } from './lib/report.js';

const BIG_MB = numberOption('big-mb', 1024);
const EACH_MB = numberOption('each-mb', 256);
const CONCURRENT = numberOption('concurrent', 8);
const PREVIEW_MB = numberOption('preview-mb', 200);
const RUNS = numberOption('runs', 3);
const workDir = join(import.meta.dirname, '.work', 'ingest');
const mediaDir = join(workDir, 'media');
const MB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------------
// Server side (this file, forked with --server)

async function serverMain(): Promise<void> {
  const { createServices } = await import('../src/app.js');
  const { loadConfig } = await import('../src/config/load-config.js');
  const { silentLogger } = await import('../src/log.js');
  const { startServer } = await import('../src/server/start-server.js');
  const dataDir = join(workDir, 'data');
  rmSync(dataDir, { recursive: true, force: true });
  const config = loadConfig({
    dataDir,
    log: { level: 'silent' },
    // No in-process jobs: asset processing would compete with the uploads being measured.
    server: {
      host: '127.0.0.1',
      port: 0,
      rateLimit: { perMinute: 0 },
      runJobs: false,
      requestTimeoutMs: 3_600_000,
    },
    ingest: { maxBytes: 64 * 1024 ** 3, quotaBytes: 1024 ** 4 },
  });
  const services = await createServices(config, { log: silentLogger() });
  const { token } = services.tokens.create({ name: 'bench', owner: 'bench', scopes: ['admin'] });
  const server = await startServer(services);
  const peak = new RssPeak(20);
  process.on('message', async (m: { cmd: string }) => {
    if (m.cmd === 'rss') {
      global.gc?.();
      const rss = process.memoryUsage().rss;
      process.send?.({ cmd: 'rss', peakRss: peak.peak, rss });
      peak.restart(rss); // the next question is about what happens from now on
    } else if (m.cmd === 'stop') {
      peak.stop();
      await server.close();
      await services.close();
      rmSync(dataDir, { recursive: true, force: true }); // several GB of blobs at the default sizes
      process.exit(0);
    }
  });
  process.send?.({ cmd: 'ready', url: server.url, token, dataDir });
}

// ---------------------------------------------------------------------------------------------------
// Client side

interface Server {
  child: ChildProcess;
  url: string;
  token: string;
  rss(): Promise<{ peakRss: number; rss: number }>;
  stop(): Promise<void>;
}

async function startServerProcess(): Promise<Server> {
  const child = fork(import.meta.filename, ['--server'], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: 'inherit',
  });
  const ready = await new Promise<{ url: string; token: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { url: string; token: string }));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const ask = <T>(cmd: string, reply: string) =>
    new Promise<T>((resolve) => {
      const on = (m: unknown) => {
        if ((m as { cmd: string }).cmd !== reply) return;
        child.off('message', on);
        resolve(m as T);
      };
      child.on('message', on);
      child.send({ cmd });
    });
  return {
    child,
    ...ready,
    rss: () => ask('rss', 'rss'),
    stop: async () => {
      child.send({ cmd: 'stop' });
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** A 16-bit stereo 48 kHz WAV of `bytes` (rounded down to whole frames), written in 1 MB blocks. */
function makeWav(path: string, bytes: number): void {
  if (existsSync(path) && statSync(path).size === bytes) return;
  const data = Math.floor((bytes - 44) / 4) * 4;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(Math.min(0xffffffff, 36 + data), 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(2, 22);
  header.writeUInt32LE(48_000, 24);
  header.writeUInt32LE(48_000 * 4, 28);
  header.writeUInt16LE(4, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(Math.min(0xffffffff, data), 40);
  const block = Buffer.alloc(MB);
  for (let i = 0; i < block.length; i += 2) block.writeInt16LE(Math.round(8_000 * Math.sin(i / 40)), i);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, header);
    for (let left = data; left > 0; left -= block.length)
      writeSync(fd, block, 0, Math.min(left, block.length));
  } finally {
    closeSync(fd);
  }
}

/** Makes the file's content differ from earlier runs (a few samples), so it is not de-duplicated. */
function stamp(path: string, run: number): void {
  const fd = openSync(path, 'r+');
  const b = Buffer.alloc(8);
  b.writeDoubleLE(Date.now() + run);
  writeSync(fd, b, 0, 8, 44);
  closeSync(fd);
}

/** A faststart H.264 MP4 of noise, about `mb` megabytes. */
function makePreviewMp4(path: string, mb: number): void {
  if (existsSync(path)) return;
  // ~2.4 MB per second at this size and quality (measured once; the file's real size is reported).
  const seconds = Math.max(2, Math.round(mb / 2.4));
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=s=640x360:r=25:d=${seconds}`],
    ...['-vf', 'noise=alls=40:allf=t', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '12', '-g', '50'],
    ...['-movflags', '+faststart', path],
  ]);
}

function tusUpload(
  s: Server,
  path: string,
  extra: { uploadUrl?: string; filetype: string },
): Promise<{ ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const upload = new Upload(createReadStream(path), {
      endpoint: `${s.url}/uploads`,
      uploadUrl: extra.uploadUrl,
      headers: { authorization: `Bearer ${s.token}` },
      metadata: { filename: path.split('/').pop()!, filetype: extra.filetype },
      retryDelays: null,
      onSuccess: () => resolve({ ms: performance.now() - t0 }),
      onError: reject,
    });
    upload.start();
  });
}

/**
 * The thinnest tus client: a creation POST, then one PATCH streaming the whole file. It measures the
 * server; tus-js-client (the CLI's client) adds its own cost on the sending side, shown apart.
 */
/** A tus creation POST for a file of `size` bytes; the new upload's URL. */
async function createUpload(s: Server, size: number, filename: string, filetype: string): Promise<URL> {
  const b64 = (t: string) => Buffer.from(t).toString('base64');
  const created = await fetch(`${s.url}/uploads`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${s.token}`,
      'tus-resumable': '1.0.0',
      'upload-length': String(size),
      'upload-metadata': `filename ${b64(filename)},filetype ${b64(filetype)}`,
    },
  });
  if (created.status !== 201) throw new Error(`creation: ${created.status} ${await created.text()}`);
  return new URL(created.headers.get('location')!, s.url);
}

async function rawUpload(s: Server, path: string, filetype: string): Promise<number> {
  const size = statSync(path).size;
  const t0 = performance.now();
  const url = await createUpload(s, size, 'bench', filetype);
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'PATCH',
        headers: {
          authorization: `Bearer ${s.token}`,
          'tus-resumable': '1.0.0',
          'upload-offset': '0',
          'content-type': 'application/offset+octet-stream',
          'content-length': String(size),
        },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    pipeline(createReadStream(path), req).catch(reject);
  });
  if (status !== 204) throw new Error(`PATCH answered ${status}`);
  return performance.now() - t0;
}

async function plainCopy(from: string, to: string): Promise<number> {
  const t0 = performance.now();
  await pipeline(createReadStream(from), createWriteStream(to));
  const ms = performance.now() - t0;
  rmSync(to, { force: true });
  return ms;
}

async function throughput(s: Server) {
  const big = join(mediaDir, `big-${BIG_MB}mb.wav`);
  makeWav(big, BIG_MB * MB);
  const uploads: number[] = [];
  const clients: number[] = [];
  const copies: number[] = [];
  // Warm-up: the page cache holds the file for both sides alike.
  await plainCopy(big, join(workDir, 'copy.tmp'));
  for (let run = 0; run < RUNS; run++) {
    stamp(big, run);
    copies.push(await plainCopy(big, join(workDir, 'copy.tmp')));
    uploads.push(await rawUpload(s, big, 'audio/wav'));
    stamp(big, run + 1000);
    clients.push((await tusUpload(s, big, { filetype: 'audio/wav' })).ms);
  }
  const ratios = uploads.map((u, i) => copies[i]! / u);
  return { uploads, clients, copies, ratios };
}

async function memory(s: Server) {
  const file = join(mediaDir, `each-${EACH_MB}mb.wav`);
  makeWav(file, EACH_MB * MB);
  stamp(file, 99);
  const before = await s.rss();
  await Promise.all(Array.from({ length: CONCURRENT }, () => tusUpload(s, file, { filetype: 'audio/wav' })));
  const after = await s.rss();
  const growth = after.peakRss - before.rss;
  return { baseline: before.rss, peak: after.peakRss, perUpload: growth / CONCURRENT };
}

async function earlyPreview(s: Server) {
  const file = join(mediaDir, `preview-${PREVIEW_MB}mb.mp4`);
  makePreviewMp4(file, PREVIEW_MB);
  const size = statSync(file).size;
  const url = await createUpload(s, size, 'preview.mp4', 'video/mp4');
  const id = url.pathname.split('/').pop()!;
  const ws = new WebSocket(`${s.url.replace('http', 'ws')}/ws`, {
    headers: { authorization: `Bearer ${s.token}` },
  });
  let previewAt: number | null = null;
  let subscribed!: () => void;
  const ready = new Promise<void>((r) => {
    subscribed = r;
  });
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as { type: string; event?: { stage: string; offset: number } };
    if (m.type === 'subscribed') subscribed();
    if (m.type === 'event' && m.event?.stage === 'previewing' && previewAt === null)
      previewAt = m.event.offset;
  });
  await new Promise((r) => ws.once('open', r));
  ws.send(JSON.stringify({ type: 'subscribe', topic: `upload:${id}` }));
  await ready;
  await tusUpload(s, file, { uploadUrl: url.href, filetype: 'video/mp4' });
  ws.close();
  return { size, percent: previewAt === null ? null : (previewAt / size) * 100 };
}

async function clientMain(): Promise<void> {
  mkdirSync(mediaDir, { recursive: true });
  const s = await startServerProcess();
  try {
    const t = await throughput(s);
    const m = await memory(s);
    const p = await earlyPreview(s);
    const sec = (ms: number) => (ms / 1000).toFixed(2);
    console.log(`\ningest benchmark — ${machine()}\n`);
    printTable([
      ['measure', 'median', 'spread', 'runs'],
      [
        `upload ${BIG_MB} MB to asset (s)`,
        sec(median(t.uploads)),
        `${spreadPct(t.uploads).toFixed(0)}%`,
        t.uploads.map(sec).join(' '),
      ],
      [
        '  same with tus-js-client (s)',
        sec(median(t.clients)),
        `${spreadPct(t.clients).toFixed(0)}%`,
        t.clients.map(sec).join(' '),
      ],
      [
        `plain disk copy ${BIG_MB} MB (s)`,
        sec(median(t.copies)),
        `${spreadPct(t.copies).toFixed(0)}%`,
        t.copies.map(sec).join(' '),
      ],
      [
        'ratio copy ÷ upload (≥ 0.5)',
        median(t.ratios).toFixed(2),
        `${spreadPct(t.ratios).toFixed(0)}%`,
        t.ratios.map((r) => r.toFixed(2)).join(' '),
      ],
      [
        `memory per upload, ${CONCURRENT} × ${EACH_MB} MB (MB, ≤ 50)`,
        (m.perUpload / MB).toFixed(1),
        '',
        `baseline ${(m.baseline / MB).toFixed(0)} MB, peak ${(m.peak / MB).toFixed(0)} MB`,
      ],
      [
        `first preview, ${(p.size / MB).toFixed(0)} MB MP4 (% uploaded, ≤ 25)`,
        p.percent === null ? 'only at the end' : p.percent.toFixed(1),
        '',
        '',
      ],
    ]);
    console.log(
      `\n${JSON.stringify({
        bench: 'ingest',
        machine: machine(),
        bigMb: BIG_MB,
        uploadMs: t.uploads,
        tusJsClientMs: t.clients,
        copyMs: t.copies,
        ratio: median(t.ratios),
        concurrent: CONCURRENT,
        eachMb: EACH_MB,
        memoryPerUploadMb: m.perUpload / MB,
        peakRssMb: m.peak / MB,
        previewMb: p.size / MB,
        firstPreviewPercent: p.percent,
      })}`,
    );
  } finally {
    await s.stop();
  }
}

if (process.argv.includes('--server')) await serverMain();
else await clientMain();
