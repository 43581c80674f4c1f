import { spawn } from 'node:child_process';
import { chmod, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { isProcessAlive } from '../../test/helpers/media-fixtures.js';
import { makeTempDir, repoRoot } from '../../test/helpers/paths.js';
import { isReelforgeError, type ReelforgeError } from '../errors.js';
import { runFfmpeg, runFfprobe, spawnFfmpeg } from './ffmpeg-process.js';
import { type Ffmpeg, findFfmpeg } from './find-ffmpeg.js';
import type { ProcessFailureDetails } from './media-errors.js';
import type { FfmpegProgress } from './progress.js';

async function rejection(p: Promise<unknown>): Promise<ReelforgeError> {
  try {
    await p;
  } catch (e) {
    if (isReelforgeError(e)) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

const LONG_RUN = ['-re', '-f', 'lavfi', '-i', 'testsrc2=s=64x36:r=30', '-t', '60', '-f', 'null', '-'];
const FRAME = Buffer.alloc(64 * 36 * 4, 0x80);
const RAW_IN = ['-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', '64x36', '-r', '30', '-i', 'pipe:0'];

describe('spawnFfmpeg (real ffmpeg)', () => {
  let ff: Ffmpeg;
  let dir: string;
  beforeAll(async () => {
    ff = await findFfmpeg({});
    dir = makeTempDir('ffmpeg-process');
  });

  it('encodes, reports progress and ends with a done report', async () => {
    const reports: FfmpegProgress[] = [];
    const out = join(dir, 'progress.mp4');
    const exitListeners = process.listenerCount('exit');
    const proc = spawnFfmpeg(
      ff,
      [
        '-f',
        'lavfi',
        '-i',
        'testsrc2=s=64x36:r=30:d=1',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-y',
        out,
      ],
      { onProgress: (p) => reports.push(p) },
    );
    expect(proc.status).toBe('running');
    expect(process.listenerCount('exit')).toBe(exitListeners + 1);
    const result = await proc.done;
    expect(proc.status).toBe('exited-ok');
    expect(result.durationMs).toBeGreaterThan(0);
    expect(reports.at(-1)).toMatchObject({ frame: 30, done: true });
    expect(reports.at(-1)?.outTimeSec).toBeCloseTo(1, 1);
    expect((await stat(out)).size).toBeGreaterThan(0);
    expect(process.listenerCount('exit')).toBe(exitListeners);
  });

  it('cancels through the AbortSignal: FFMPEG_KILLED, retryable, no process left', async () => {
    const ac = new AbortController();
    let started!: () => void;
    const firstProgress = new Promise<void>((r) => {
      started = r;
    });
    const proc = spawnFfmpeg(ff, LONG_RUN, { signal: ac.signal, onProgress: () => started() });
    const pid = proc.pid as number;
    await firstProgress;
    ac.abort(new Error('user cancelled'));
    const e = await rejection(proc.done);
    expect(e.code).toBe('FFMPEG_KILLED');
    expect(e.retryable).toBe(true);
    expect(e.meta.details).toMatchObject({ byUs: true, tool: 'ffmpeg' });
    expect(proc.status).toBe('exited-error');
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('does not start work for an already aborted signal', async () => {
    const e = await rejection(spawnFfmpeg(ff, LONG_RUN, { signal: AbortSignal.abort() }).done);
    expect(e.code).toBe('FFMPEG_KILLED');
  });

  it('kill() resolves once the process is gone and is idempotent', async () => {
    const proc = spawnFfmpeg(ff, LONG_RUN);
    await sleep(100);
    await Promise.all([proc.kill(), proc.kill()]);
    expect(isProcessAlive(proc.pid as number)).toBe(false);
    expect((await rejection(proc.done)).code).toBe('FFMPEG_KILLED');
    await proc.kill();
  });

  it('escalates to SIGKILL when SIGTERM is ignored', async () => {
    const fake = join(dir, 'stubborn-ffmpeg');
    await writeFile(fake, "#!/bin/sh\ntrap '' TERM\nexec sleep 30\n");
    await chmod(fake, 0o755);
    const proc = spawnFfmpeg({ ...ff, ffmpegPath: fake }, []);
    await sleep(100);
    await proc.kill(200);
    expect(isProcessAlive(proc.pid as number)).toBe(false);
    const e = await rejection(proc.done);
    expect(e.code).toBe('FFMPEG_KILLED');
    expect(e.meta.details).toMatchObject({ signal: 'SIGKILL', byUs: true });
  });

  it('reports a non-zero exit with code, arguments and the stderr tail', async () => {
    const e = await rejection(runFfmpeg(ff, ['-i', join(dir, 'missing.mp4'), '-f', 'null', '-']));
    expect(e.code).toBe('FFMPEG_EXITED');
    expect(e.message).toMatch(/ffmpeg exited with code 1: .*No such file or directory/);
    const details = e.meta.details as ProcessFailureDetails;
    expect(details).toMatchObject({ tool: 'ffmpeg', exitCode: 1, signal: null });
    expect(details.args).toContain(join(dir, 'missing.mp4'));
    expect(details.stderrTail).toContain('No such file or directory');
  });

  it('reports a kill by someone else as FFMPEG_KILLED, retryable', async () => {
    const proc = spawnFfmpeg(ff, LONG_RUN);
    await sleep(100);
    process.kill(proc.pid as number, 'SIGKILL');
    const e = await rejection(proc.done);
    expect(e).toMatchObject({ code: 'FFMPEG_KILLED', retryable: true });
    expect(e.meta.details).toMatchObject({ byUs: false, signal: 'SIGKILL' });
  });

  it('reports a missing binary as FFMPEG_NOT_FOUND', async () => {
    const proc = spawnFfmpeg({ ...ff, ffmpegPath: '/nonexistent/ffmpeg' }, ['-version']);
    expect((await rejection(proc.done)).code).toBe('FFMPEG_NOT_FOUND');
    expect(proc.status).toBe('exited-error');
    await proc.kill();
  });

  it('surfaces ffmpeg dying while we write to stdin as FFMPEG_EXITED, not a crash', async () => {
    const proc = spawnFfmpeg(ff, [...RAW_IN, '-c:v', 'libx264', join(dir, 'no-such-dir', 'x.mp4')], {
      stdin: true,
    });
    const writing = (async () => {
      for (let i = 0; i < 10_000; i++) await proc.write(FRAME);
    })();
    const e = await rejection(writing);
    expect(e.code).toBe('FFMPEG_EXITED');
    expect(e.message).toContain('No such file or directory');
    expect((await rejection(proc.done)).code).toBe('FFMPEG_EXITED');
    proc.stdin?.write(FRAME); // a raw write after the pipe broke must not throw or crash either
    await sleep(50);
  });

  it('rejects writes once ffmpeg has stopped reading, while done succeeds', async () => {
    const proc = spawnFfmpeg(ff, [...RAW_IN, '-frames:v', '1', '-f', 'null', '-'], { stdin: true });
    const writing = (async () => {
      for (let i = 0; i < 10_000; i++) await proc.write(FRAME);
    })();
    const e = await rejection(writing);
    expect(e.code).toBe('FFMPEG_EXITED');
    expect(e.message).toContain('before reading all of its input');
    await expect(proc.done).resolves.toMatchObject({ stderrTail: expect.any(String) });
  });

  it('encodes frames written to stdin and ended with endInput()', async () => {
    const out = join(dir, 'from-stdin.mp4');
    const proc = spawnFfmpeg(
      ff,
      [...RAW_IN, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-y', out],
      {
        stdin: true,
      },
    );
    for (let i = 0; i < 15; i++) await proc.write(FRAME);
    await proc.endInput();
    const probed = JSON.parse(
      await runFfprobe(ff, ['-print_format', 'json', '-count_frames', '-show_streams', out]),
    );
    expect(probed.streams[0].nb_read_frames).toBe('15');
  });

  it('pipes stdout', async () => {
    const proc = spawnFfmpeg(
      ff,
      [
        '-f',
        'lavfi',
        '-i',
        'color=c=red:s=4x2',
        '-frames:v',
        '1',
        '-f',
        'rawvideo',
        '-pix_fmt',
        'rgb24',
        'pipe:1',
      ],
      { stdout: 'pipe' },
    );
    const chunks: Buffer[] = [];
    proc.stdout?.on('data', (c: Buffer) => chunks.push(c));
    await proc.done;
    const pixels = Buffer.concat(chunks);
    expect(pixels).toHaveLength(4 * 2 * 3);
    expect(pixels[0]).toBeGreaterThan(250);
    expect(pixels[1]).toBeLessThan(5);
  });

  it('kill() settles even when nobody reads a piped stdout', async () => {
    const proc = spawnFfmpeg(ff, ['-f', 'lavfi', '-i', 'testsrc2=s=320x240', '-f', 'rawvideo', 'pipe:1'], {
      stdout: 'pipe',
    });
    await sleep(200);
    await proc.kill();
    expect((await rejection(proc.done)).code).toBe('FFMPEG_KILLED');
  });

  it('runFfprobe returns stdout and bounds its size', async () => {
    const args = ['-f', 'lavfi', '-print_format', 'json', '-show_streams', '-i', 'testsrc2=s=64x36:d=1'];
    expect(JSON.parse(await runFfprobe(ff, args)).streams[0].width).toBe(64);
    const e = await rejection(runFfprobe(ff, args, { maxBytes: 100 }));
    expect(e.code).toBe('FFPROBE_FAILED');
    expect(e.message).toContain('more than 100 bytes');
  });

  it('kills a running ffmpeg when the Node process exits', async () => {
    const script = join(dir, 'exit-while-running.ts');
    const modulePath = join(repoRoot, 'src', 'media', 'index.ts');
    await writeFile(
      script,
      `import { findFfmpeg, spawnFfmpeg } from ${JSON.stringify(modulePath)};\n` +
        `const p = spawnFfmpeg(await findFfmpeg({}), ${JSON.stringify(LONG_RUN)});\n` +
        'p.done.catch(() => {});\nconsole.log(p.pid);\nsetTimeout(() => process.exit(0), 200);\n',
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    await new Promise((r) => child.once('close', r));
    const pid = Number(out.trim());
    expect(pid).toBeGreaterThan(0);
    for (let i = 0; i < 40 && isProcessAlive(pid); i++) await sleep(50);
    expect(isProcessAlive(pid)).toBe(false);
  });
});
