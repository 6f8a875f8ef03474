import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createTestApp } from '../testing/test-app';

describe('GET /health with injected checks', () => {
  const apps: NestExpressApplication[] = [];
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
  });
  async function app(...args: Parameters<typeof createTestApp>): Promise<NestExpressApplication> {
    const a = await createTestApp(...args);
    apps.push(a);
    return a;
  }

  it('200 with every check up', async () => {
    const res = await request((await app()).getHttpServer()).get('/health');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({ status: 'ok', checks: { database: 'up', temporal: 'up', mail: 'up' } });
  });

  it('503 naming the failing check, the others still up', async () => {
    const a = await app({}, { healthChecks: { database: () => Promise.reject(new Error('ECONNREFUSED')) } });
    const res = await request(a.getHttpServer()).get('/health');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'unavailable', checks: { database: 'down', temporal: 'up', mail: 'up' } });
  });

  it('a check that hangs counts as down after HEALTH_CHECK_TIMEOUT_MS, and the checks run in parallel', async () => {
    const slow = () => new Promise<void>((resolve) => setTimeout(resolve, 5_000).unref());
    const a = await app({ HEALTH_CHECK_TIMEOUT_MS: '300' }, { healthChecks: { temporal: slow, mail: slow, database: slow } });
    const started = Date.now();
    const res = await request(a.getHttpServer()).get('/health');
    const took = Date.now() - started;
    expect(res.status).toBe(503);
    expect(res.body.checks).toEqual({ database: 'down', temporal: 'down', mail: 'down' });
    expect(took).toBeLessThan(1_500); // three 300 ms timeouts in parallel, not in sequence or 5 s
  });

  it('a burst of probes shares one run of the checks (HEALTH_CACHE_MS)', async () => {
    let runs = 0;
    const counted = async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 20));
    };
    const a = await app({ HEALTH_CACHE_MS: '5000' }, { healthChecks: { database: counted } });
    const results = await Promise.all(Array.from({ length: 20 }, () => request(a.getHttpServer()).get('/health')));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(runs).toBe(1);
  });

  it('the liveness probe does not depend on anything', async () => {
    const a = await app({}, { healthChecks: { database: () => Promise.reject(new Error('down')) } });
    const res = await request(a.getHttpServer()).get('/health/live');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });
});
