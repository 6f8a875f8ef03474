import { Writable } from 'node:stream';
import { Controller, Get, Module } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createTestApp, testConfig } from '../testing/test-app';
import { Public } from '../auth/decorators';
import { createRootLogger, redactUrl } from './logger';

@Controller('test-log')
class FailingController {
  @Get()
  @Public()
  fail(): never {
    throw new Error('disk quota exceeded on /var/lib/internal');
  }
}
@Module({ controllers: [FailingController] })
class FailingModule {}

describe('structured request logs', () => {
  const lines: Array<Record<string, unknown>> = [];
  let raw = '';
  let app: NestExpressApplication;

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        raw += chunk.toString();
        for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
        cb();
      },
    });
    const config = testConfig({ LOG_LEVEL: 'info' });
    app = await createTestApp({ LOG_LEVEL: 'info' }, { logger: createRootLogger(config, sink), imports: [FailingModule] });
  });
  afterAll(async () => {
    await app.close();
  });

  it('logs one JSON line per request with the request id, and never tokens, bodies or link tokens', async () => {
    const res = await request(app.getHttpServer())
      .post('/api/v1/dev/token?token=link-secret-123&serviceId=120686')
      .set('X-Request-Id', 'req-log-test-1')
      .set('Authorization', 'Bearer eyJhbGciOiJIUzI1NiJ9.should-not-be-logged.sig')
      .set('Cookie', 'session=cookie-secret')
      .send({ sub: 'citizen-pseudonym-42', roles: ['citizen'], email: 'erika@example.org', name: 'Erika Mustermann' });
    expect(res.status).toBe(200);
    await new Promise((r) => setImmediate(r));

    const line = lines.find((l) => l.requestId === 'req-log-test-1' && l.msg === 'request completed');
    expect(line).toBeDefined();
    expect(line).toMatchObject({ level: 30, service: 'amtsweg-api', req: { method: 'POST' }, res: { statusCode: 200 } });
    expect((line?.req as { url: string }).url).toBe('/api/v1/dev/token?token=%5BREDACTED%5D&serviceId=120686');
    expect(typeof line?.responseTime).toBe('number');
    for (const secret of ['link-secret-123', 'should-not-be-logged', 'cookie-secret', 'citizen-pseudonym-42', 'erika@example.org', 'Mustermann', 'access_token']) {
      expect(raw).not.toContain(secret);
    }
  });

  it('logs an unexpected error with its stack under the request id; the client sees none of it', async () => {
    const res = await request(app.getHttpServer()).get('/api/v1/test-log').set('X-Request-Id', 'req-log-test-2');
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('disk quota');
    await new Promise((r) => setImmediate(r));
    const errorLine = lines.find((l) => l.requestId === 'req-log-test-2' && l.level === 50 && l.err);
    expect((errorLine?.err as { stack?: string } | undefined)?.stack).toMatch(/disk quota exceeded[\s\S]*logging\.spec\.ts/);
  });

  it('redacts secret query parameters in logged URLs', () => {
    expect(redactUrl('/a?code=1&x=2&Token=3')).toBe('/a?code=%5BREDACTED%5D&x=2&Token=%5BREDACTED%5D');
    expect(redactUrl('/plain')).toBe('/plain');
  });
});
