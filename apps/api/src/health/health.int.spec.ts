import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { loadConfig } from '../../../../libs/config/src/config';
import { createApp } from '../app.factory';
import { TemporalClientHolder } from '../infrastructure/temporal-client.holder';

/**
 * /health against the real servers of the jest run (test/global-setup.ts: Temporal dev server,
 * embedded PostgreSQL, SMTP sink; test/setup-env.ts exports their addresses). No overrides: this
 * is the API's own wiring (createPool, createTemporalClient, createMailTransport).
 */
const REQUIRED = ['TEMPORAL_ADDRESS', 'TEST_PG_ADMIN_URL', 'SMTP_URL'] as const;
const missing = REQUIRED.filter((k) => !process.env[k]);
if (missing.length > 0) {
  console.warn(`health.int.spec: SKIPPED — ${missing.join(', ')} not set (run through jest with test/global-setup.ts to get the shared servers)`);
}
const describeWithInfra = missing.length === 0 ? describe : describe.skip;

function realConfig(env: Record<string, string> = {}) {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '0',
    HEALTH_CACHE_MS: '0',
    DATABASE_URL: process.env.TEST_PG_ADMIN_URL ?? '',
    TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '',
    TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE ?? 'default',
    SMTP_URL: process.env.SMTP_URL ?? '',
    ...env,
  });
}

async function healthWithin(app: NestExpressApplication, ms: number, until: (body: { checks: Record<string, string> }) => boolean) {
  const deadline = Date.now() + ms;
  for (;;) {
    const res = await request(app.getHttpServer()).get('/health');
    if (until(res.body as { checks: Record<string, string> }) || Date.now() > deadline) return res;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describeWithInfra('GET /health against real PostgreSQL, Temporal and SMTP', () => {
  it('200 with database, temporal and mail all "up"', async () => {
    const app = await createApp(realConfig());
    try {
      const res = await healthWithin(app, 30_000, (b) => b.checks?.temporal === 'up');
      expect(res.body).toEqual({ status: 'ok', checks: { database: 'up', temporal: 'up', mail: 'up' } });
      expect(res.status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('boots while Temporal is unreachable and reports exactly that (503, temporal "down")', async () => {
    const app = await createApp(realConfig({ TEMPORAL_ADDRESS: `127.0.0.1:${await closedPort()}`, HEALTH_CHECK_TIMEOUT_MS: '1500' }));
    try {
      const res = await request(app.getHttpServer()).get('/health');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ status: 'unavailable', checks: { database: 'up', temporal: 'down', mail: 'up' } });
    } finally {
      const temporal = app.get(TemporalClientHolder);
      await app.close();
      await temporal.idle(); // the first connect attempt gives up after the SDK's 10 s connect timeout
    }
  });
});
