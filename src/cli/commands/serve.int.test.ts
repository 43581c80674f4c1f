import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestImage } from '../../../test/helpers/media-fixtures.js';
import { makeTempDir, repoRoot, tmpDir } from '../../../test/helpers/paths.js';

/** The real CLI in a child process (through tsx, so no build is needed), serving a temporary data folder. */
let dir: string;
let entry: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = makeTempDir('cli-serve');
  const bin = await readFile(join(repoRoot, 'bin', 'reelforge.js'), 'utf8');
  entry = join(dir, 'reelforge.mjs');
  await writeFile(
    entry,
    bin.replace('../dist/cli/main.js', pathToFileURL(join(repoRoot, 'src', 'cli', 'main.ts')).href),
  );
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

function serve(dataDir: string, args: string[] = []) {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, 'serve', '--port', '0', ...args], {
    cwd: repoRoot,
    env: { ...process.env, REELFORGE_DATA_DIR: dataDir, REELFORGE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const url = (async () => {
    for (let i = 0; i < 600; i++) {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) return m[1]!;
      if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`serve did not start: ${err}`);
  })();
  return { child, exited, url, out: () => out, err: () => err };
}

interface JobJson {
  state: string;
  percent: number | null;
  attemptHistory: Array<{ outcome: string }>;
}

async function job(url: string, id: string): Promise<JobJson> {
  return (await (await fetch(`${url}/jobs/${id}`)).json()) as JobJson;
}

describe('reelforge serve', () => {
  it('serves on loopback with no configuration, says it is open, and shuts down on SIGTERM releasing a running job for a retry', async () => {
    const dataDir = join(dir, 'data');
    const first = serve(dataDir, ['--grace', '0']);
    const url = await first.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // stderr is another pipe: its lines may arrive after the "listening" line on stdout.
    for (let i = 0; i < 100 && !first.err().includes('without authentication'); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(first.err()).toContain('open, without authentication');
    expect((await fetch(`${url}/health`)).status).toBe(200);

    const png = readFileSync(
      await makeTestImage(join(tmpDir, 'server-fixtures'), { w: 64, h: 36, pattern: 'testsrc2' }),
    );
    const asset = (await (
      await fetch(`${url}/assets?name=pattern.png`, {
        method: 'POST',
        body: png,
        headers: { 'content-type': 'image/png' },
      })
    ).json()) as { ref: string };
    // Long enough (in frames) to be caught running.
    const timeline = {
      output: { width: 64, height: 36, fps: 30, profile: 'economy' },
      tracks: [
        {
          clips: [
            {
              type: 'image',
              src: asset.ref,
              start: 0,
              duration: 600,
              camera: { from: { zoom: 1 }, to: { zoom: 2 } },
            },
          ],
        },
      ],
    };
    const render = (await (
      await fetch(`${url}/renders`, {
        method: 'POST',
        body: JSON.stringify({ timeline }),
        headers: { 'content-type': 'application/json' },
      })
    ).json()) as { id: string };
    for (let i = 0; i < 400 && (await job(url, render.id)).state !== 'active'; i++)
      await new Promise((r) => setTimeout(r, 25));
    expect((await job(url, render.id)).state).toBe('active');

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.err()).toContain('SIGTERM: stopping');

    // Nothing corrupted, nothing half-written left behind.
    const db = new Database(join(dataDir, 'reelforge.db'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const row = db.prepare('SELECT state FROM jobs_jobs WHERE id = ?').get(render.id) as { state: string };
      expect(row.state).toBe('queued');
    } finally {
      db.close();
    }
    expect(readdirSync(join(dataDir, 'blobs', 'tmp'))).toEqual([]);

    // The next start picks the job up again.
    const second = serve(dataDir, ['--grace', '0']);
    const url2 = await second.url;
    for (let i = 0; i < 400 && (await job(url2, render.id)).state !== 'active'; i++)
      await new Promise((r) => setTimeout(r, 25));
    const again = await job(url2, render.id);
    expect(again.attemptHistory[0]?.outcome).toBe('interrupted');
    const cancelled = await fetch(`${url2}/renders/${render.id}/cancel`, { method: 'POST' });
    expect(cancelled.status).toBe(202);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
    expect(readdirSync(join(dataDir, 'scratch', 'renders'))).toEqual([]);
  });
});
