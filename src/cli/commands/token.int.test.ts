import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../test/helpers/paths.js';
import { openTokenStore } from '../../app.js';
import { loadConfig } from '../../config/load-config.js';
import { runCli } from '../test-support/run-cli.js';

const savedEnv = { ...process.env };
const dirs: string[] = [];
afterEach(() => {
  process.env = { ...savedEnv };
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const cli = (argv: string[]) => runCli(...argv);

function useDataDir(): string {
  const dir = makeTempDir('cli-token');
  dirs.push(dir);
  process.env = { ...savedEnv, REELFORGE_DATA_DIR: dir };
  return dir;
}

describe('reelforge token', () => {
  it('creates a token, prints it once, and the store verifies it', async () => {
    const dir = useDataDir();
    const r = await cli([
      'token',
      'create',
      '--name',
      'laptop',
      '--owner',
      'alice',
      '--scopes',
      'read,render',
    ]);
    expect(r.code).toBe(0);
    const token = r.out.trim();
    expect(token).toMatch(/^rft_[0-9a-z]{16}_[A-Za-z0-9_-]{43}$/);
    expect(r.err).toContain('shown only this once');
    expect(r.err).toContain('no longer runs open');
    const store = openTokenStore(loadConfig({ dataDir: dir }));
    try {
      expect(store.tokens.verify(token)).toMatchObject({
        name: 'laptop',
        owner: 'alice',
        scopes: ['read', 'render'],
      });
    } finally {
      store.close();
    }
  });

  it('lists tokens without secrets and revokes them', async () => {
    useDataDir();
    const created = await cli(['token', 'create', '--name', 'ci', '--json']);
    const record = JSON.parse(created.out) as { id: string; token: string; owner: string; scopes: string[] };
    expect(record.owner).toBe('local');
    expect(record.scopes).toEqual(['read', 'write', 'render']);
    const list = await cli(['token', 'list']);
    expect(list.out).toContain(record.id);
    expect(list.out).not.toContain(record.token);
    expect((await cli(['token', 'revoke', record.id])).code).toBe(0);
    expect((await cli(['token', 'list'])).out).toContain('revoked');
    const missing = await cli(['token', 'revoke', 't_0000000000000000']);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('TOKEN_NOT_FOUND');
  });

  it('refuses unknown scopes and bad owners as bad input', async () => {
    useDataDir();
    const scopes = await cli(['token', 'create', '--name', 'x', '--scopes', 'read,superuser']);
    expect(scopes.code).toBe(2);
    expect(scopes.err).toContain('superuser');
    const owner = await cli(['token', 'create', '--name', 'x', '--owner', '../etc']);
    expect(owner.code).toBe(2);
  });
});
