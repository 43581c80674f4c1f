import { describe, expect, it } from 'vitest';
import { configFromEnv, loadConfig } from '../config/load-config.js';

describe('server configuration', () => {
  it('defaults to the embedded setup on 127.0.0.1:7420', () => {
    const c = loadConfig({});
    expect(c.dataDir).toBe('./reelforge-data');
    expect(c.server).toMatchObject({ host: '127.0.0.1', port: 7420, runJobs: true });
    expect(c.server.limits.uploadBytes).toBeGreaterThan(c.server.limits.bodyBytes);
  });

  it('reads the REELFORGE_ server variables', () => {
    const c = loadConfig(
      configFromEnv({
        REELFORGE_HOST: '0.0.0.0',
        REELFORGE_PORT: '8080',
        REELFORGE_UPLOAD_LIMIT_MB: '10',
        REELFORGE_RATE_LIMIT_PER_MINUTE: '0',
        REELFORGE_MIN_FREE_DISK_MB: '100',
        REELFORGE_SERVER_JOBS: 'false',
      }),
    );
    expect(c.server).toMatchObject({ host: '0.0.0.0', port: 8080, runJobs: false });
    expect(c.server.limits).toMatchObject({ uploadBytes: 10 * 1_048_576, minFreeDiskMb: 100 });
    expect(c.server.rateLimit.perMinute).toBe(0);
  });

  it('reports a malformed port with the others', () => {
    expect(() =>
      loadConfig(configFromEnv({ REELFORGE_PORT: 'eighty', REELFORGE_LOG_LEVEL: 'loud' })),
    ).toThrow(/server\.port[\s\S]*log\.level|log\.level[\s\S]*server\.port/);
  });
});
