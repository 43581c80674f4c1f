import { describe, expect, it } from 'vitest';
import { hasScope, hostnameOf, isLoopbackHost } from './auth-policy.js';

describe('auth policy helpers', () => {
  it('tells loopback addresses from others', () => {
    for (const h of [
      '127.0.0.1',
      '127.1.2.3',
      'localhost',
      'app.localhost',
      '::1',
      '[::1]',
      '::ffff:127.0.0.1',
    ]) {
      expect(isLoopbackHost(h), h).toBe(true);
    }
    for (const h of [
      '0.0.0.0',
      '::',
      '192.168.1.2',
      'example.com',
      'localhost.example.com',
      '',
      '10.0.0.1',
    ]) {
      expect(isLoopbackHost(h), h).toBe(false);
    }
  });

  it('reads host names from Host headers and origins', () => {
    expect(hostnameOf('127.0.0.1:7420')).toBe('127.0.0.1');
    expect(hostnameOf('[::1]:7420')).toBe('[::1]');
    expect(hostnameOf('http://localhost:5173')).toBe('localhost');
    expect(hostnameOf('null')).toBe('null');
    expect(hostnameOf('http://%%%')).toBe('');
  });

  it('treats admin as every scope', () => {
    const p = { owner: 'a', scopes: ['admin'] as const, tokenId: 't' };
    expect(hasScope(p, 'write')).toBe(true);
    expect(hasScope({ ...p, scopes: ['read'] }, 'write')).toBe(false);
  });
});
