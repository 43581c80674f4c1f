import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test-support/test-server.js';

describe('server: API tokens and scopes', () => {
  let s: TestServer;
  let reader: string;
  let admin: string;
  let revoked: string;

  beforeAll(async () => {
    s = await startTestServer(
      { rateLimit: { perMinute: 0 } },
      {
        configure(app) {
          app.get('/test/admin', { config: { scope: 'admin' } }, async () => ({ ok: true }));
          app.post('/test/write', { config: { scope: 'write' } }, async () => ({ ok: true }));
        },
      },
    );
    const { tokens } = s.services;
    reader = tokens.create({ name: 'reader', owner: 'alice', scopes: ['read'] }).token;
    admin = tokens.create({ name: 'ops', owner: 'ops', scopes: ['admin'] }).token;
    const r = tokens.create({ name: 'old', owner: 'alice', scopes: ['read'] });
    tokens.revoke(r.record.id);
    revoked = r.token;
  });
  afterAll(() => s.close());

  it('needs a token once any token exists, even on loopback', async () => {
    const res = await s.request('/me');
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ code: 'AUTH_REQUIRED' });
  });

  it('knows who a token belongs to and what it may do', async () => {
    const res = await s.request('/me', { token: reader });
    expect(await res.json()).toEqual({
      owner: 'alice',
      scopes: ['read'],
      tokenId: expect.stringMatching(/^t_/),
      open: false,
    });
  });

  it('refuses malformed, unknown and revoked tokens with AUTH_INVALID', async () => {
    const tampered = `${reader.slice(0, -4)}AAAA`;
    for (const auth of [
      'Bearer nonsense',
      `Bearer ${tampered}`,
      `Bearer ${revoked}`,
      `Basic ${reader}`,
      'Bearer',
    ]) {
      const res = await s.request('/me', { headers: { authorization: auth } });
      expect(res.status, auth).toBe(401);
      expect(((await res.json()) as { code: string }).code, auth).toBe('AUTH_INVALID');
    }
  });

  it('answers 403 when the token lacks the scope; admin implies every scope', async () => {
    const res = await s.request('/test/admin', { token: reader });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      code: 'AUTH_FORBIDDEN',
      details: { needed: 'admin', has: ['read'] },
    });
    expect((await s.request('/test/write', { method: 'POST', token: reader })).status).toBe(403);
    expect((await s.request('/test/admin', { token: admin })).status).toBe(200);
    expect((await s.request('/test/write', { method: 'POST', token: admin })).status).toBe(200);
  });

  it('stores only a hash of each token', () => {
    const rows = s.services.db.prepare('SELECT hash FROM server_tokens').all() as Array<{ hash: string }>;
    for (const token of [reader, admin]) {
      const secret = token.slice(token.lastIndexOf('_') + 1);
      expect(rows.some((r) => r.hash.includes(secret))).toBe(false);
    }
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.hash))).toBe(true);
  });

  it('keeps public routes public', async () => {
    expect((await s.request('/health')).status).toBe(200);
    expect((await s.request('/openapi.json')).status).toBe(200);
  });
});
