import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { FileStore } from '@tus/file-store';
import { Upload } from '@tus/server';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../test/helpers/paths.js';
import { type ByteObserver, IngestStore } from './ingest-store.js';

const dir = makeTempDir('ingest-store');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const seen: Array<{ offset: number; bytes: number }> = [];
const observer: ByteObserver = {
  onBytes: (_u, chunk, offset) => void seen.push({ offset, bytes: chunk.length }),
  onWritten: () => undefined,
  onRemoved: () => undefined,
};
const open = () => new IngestStore(new FileStore({ directory: dir }), observer);
const chunks = (b: Buffer, size: number) =>
  Readable.from(
    (function* () {
      for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
    })(),
  );

describe('IngestStore', () => {
  it('hashes chunk by chunk, and after a restart hashes the stored prefix once before going on', async () => {
    const data = randomBytes(300_000);
    const first = open();
    await first.create(new Upload({ id: 'u1', size: data.length, offset: 0, metadata: {} }));
    expect(await first.write(chunks(data.subarray(0, 100_000), 7_000), 'u1', 0)).toBe(100_000);
    expect(seen.reduce((n, s) => n + s.bytes, 0)).toBe(100_000);

    // A new process: no hash state in memory.
    const second = open();
    seen.length = 0;
    expect(await second.write(chunks(data.subarray(100_000), 64_000), 'u1', 100_000)).toBe(data.length);
    expect(seen[0]?.offset).toBe(0); // the prefix was shown (and hashed) again first
    const upload = await second.getUpload('u1');
    expect(await second.digest(upload)).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it("refuses with the observer's error, deleting the upload", async () => {
    const refusing = new IngestStore(new FileStore({ directory: dir }), {
      onBytes: () => {
        throw new Error('no thanks');
      },
      onWritten: () => undefined,
      onRemoved: () => undefined,
    });
    await refusing.create(new Upload({ id: 'u2', size: 10, offset: 0, metadata: {} }));
    await expect(refusing.write(Readable.from([Buffer.alloc(10)]), 'u2', 0)).rejects.toThrow('no thanks');
    await expect(refusing.getUpload('u2')).rejects.toBeTruthy();
  });
});
