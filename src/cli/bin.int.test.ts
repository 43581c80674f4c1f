import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, repoRoot } from '../../test/helpers/paths.js';

/**
 * The real `bin/reelforge.js` in a child process, pointed at the TypeScript sources (through tsx)
 * instead of dist/, so these tests need no build.
 */
let dir: string;
let entry: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = makeTempDir('cli-bin');
  const bin = await readFile(join(repoRoot, 'bin', 'reelforge.js'), 'utf8');
  const main = pathToFileURL(join(repoRoot, 'src', 'cli', 'main.ts')).href;
  expect(bin).toContain('../dist/cli/main.js');
  entry = join(dir, 'reelforge.mjs');
  await writeFile(entry, bin.replace('../dist/cli/main.js', main));
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

/** Starts the CLI; `cwd` is the repository so that `--import tsx` resolves. */
function start(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, exited, out: () => out, err: () => err };
}

describe('bin/reelforge.js', () => {
  it('lists the commands and exits 0', async () => {
    const run = start(['--help']);
    expect(await run.exited).toBe(0);
    for (const command of ['render', 'frame', 'validate', 'schema', 'probe'])
      expect(run.out()).toContain(command);
  });

  // Fails while renderVideo leaves the encoder-write promises of a cancelled render unhandled:
  // Node ends the process on the unhandled rejection (exit 1, a stack trace) before 'render
  // cancelled'. Turn this back into `it` once src/engine/render-video.ts handles them.
  it('cancels a render on Ctrl-C: exit 130, no partial output', async () => {
    const timeline = join(dir, 'long.json');
    await writeFile(
      timeline,
      JSON.stringify({
        output: { width: 160, height: 90, fps: 30, profile: 'economy' },
        tracks: [
          {
            clips: [
              { type: 'color', color: '#224466', start: 0, duration: 60 },
              // Turning text: every frame differs, so the render takes a while.
              {
                type: 'text',
                text: 'cancel me',
                start: 0,
                duration: 60,
                transform: {
                  rotation: [
                    { t: 0, value: 0 },
                    { t: 60, value: 7200 },
                  ],
                },
              },
            ],
          },
        ],
      }),
    );
    const run = start(['render', timeline, '-o', join(dir, 'long.mp4')]);
    await new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => {
        if (run.err().includes('render: video')) {
          clearInterval(poll);
          resolve();
        } else if (run.child.exitCode !== null) {
          clearInterval(poll);
          reject(new Error(`exited early: ${run.err()}`));
        }
      }, 20);
    });
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.err()).toContain('render cancelled');
    expect(run.err()).not.toMatch(/^\s+at /m);
    expect((await readdir(dir)).filter((f) => f.includes('long.mp4'))).toEqual([]);
  });
});
