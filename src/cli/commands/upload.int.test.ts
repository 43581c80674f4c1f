import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestAudio } from '../../../test/helpers/media-fixtures.js';
import { makeTempDir } from '../../../test/helpers/paths.js';
import { startTestServer, type TestServer } from '../../server/test-support/test-server.js';
import { runCli } from '../test-support/run-cli.js';
import { uploadFile, uploadLine } from './upload.js';

const savedEnv = { ...process.env };

const cli = (argv: string[]) => runCli(...argv);

describe('reelforge upload', () => {
  let s: TestServer;
  let dataDir: string;
  let media: string;

  beforeAll(async () => {
    s = await startTestServer();
    s.token = s.services.tokens.create({ name: 'cli', owner: 'carol', scopes: ['read', 'write'] }).token;
    dataDir = makeTempDir('cli-upload');
    media = makeTempDir('cli-upload-media');
    process.env = { ...savedEnv, REELFORGE_DATA_DIR: dataDir };
  });
  afterAll(async () => {
    process.env = { ...savedEnv };
    await s.close();
  });

  it('resumes an interrupted upload of the same file and prints the asset id', async () => {
    const file = await makeTestAudio(media, { seconds: 30 }); // ~2.9 MB
    const bytes = readFileSync(file);
    const stop = new AbortController();
    await expect(
      uploadFile({
        file,
        server: s.url,
        token: s.token,
        stateFile: join(dataDir, 'cli', 'uploads.json'),
        chunkSize: 256 * 1024,
        signal: stop.signal,
        onProgress: (sent, total) => {
          if (sent > total * 0.4) stop.abort(new Error('cut'));
        },
      }),
    ).rejects.toThrow('cut');
    const remembered = JSON.parse(readFileSync(join(dataDir, 'cli', 'uploads.json'), 'utf8')) as object;
    expect(Object.keys(remembered)).toHaveLength(1);

    const r = await cli(['upload', file, '--server', s.url, '--token', s.token!, '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out) as { assetId: string; hash: string; resumedFrom: number; bytes: number };
    expect(result.resumedFrom).toBeGreaterThan(0);
    expect(result.bytes).toBe(bytes.length);
    expect(result.hash).toBe(createHash('sha256').update(bytes).digest('hex'));
    const asset = (await (await s.request(`/assets/${result.assetId}`)).json()) as {
      hash: string;
      name: string;
    };
    expect(asset).toMatchObject({ hash: result.hash, name: 'audio-440hz-30s.wav' });
    // Done: nothing left to resume.
    expect(JSON.parse(readFileSync(join(dataDir, 'cli', 'uploads.json'), 'utf8'))).toEqual({});
  });

  it('prints only the asset id on stdout, and the reason when the server refuses the file', async () => {
    const small = await makeTestAudio(media, { seconds: 1 });
    const ok = await cli(['upload', small, '--server', s.url, '--token', s.token!]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^a_[0-9a-z]{16}\n$/);
    expect(ok.err).toContain('as asset:');

    const fake = join(media, 'holiday.mp4');
    writeFileSync(fake, Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(5_000, 1)]));
    const bad = await cli(['upload', fake, '--server', s.url, '--token', s.token!]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('error [UPLOAD_REJECTED]: declared video/mp4 but the content is a ZIP archive');
  });

  it('draws a bounded progress line', () => {
    const line = uploadLine(42_000_000, 100_000_000, 8_000_000, 80);
    expect(line).toMatch(/^upload \[█+░+\] +42% {2}42\.0 MB \/ 100 MB {2}8\.00 MB\/s {2}ETA 0:07$/);
    expect(line.length).toBeLessThan(80);
  });
});
