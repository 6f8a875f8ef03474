import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { signDevToken } from '../../../../libs/auth/src/dev-tokens';
import { createTestApp, testConfig } from '../testing/test-app';

// The appointment endpoints in-process without servers: documentation, access rules and the public
// per-IP rate limit (all decided before any database or Temporal call).
describe('appointments API (offline)', () => {
  let app: NestExpressApplication;
  beforeAll(async () => {
    app = await createTestApp({ RATE_LIMIT_PUBLIC_PER_MINUTE: '3' });
  });
  afterAll(async () => {
    await app.close();
  });

  it('documents every endpoint in the OpenAPI document, the citizen ones as public', async () => {
    const doc = (await request(app.getHttpServer()).get('/docs/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, { 'x-amtsweg-access'?: unknown; responses: Record<string, unknown>; requestBody?: unknown }>>;
    };
    const expected: Array<[string, string]> = [
      ['/api/v1/offices', 'get'],
      ['/api/v1/services', 'get'],
      ['/api/v1/availability', 'get'],
      ['/api/v1/appointments', 'post'],
      ['/api/v1/appointments/{appointmentId}', 'get'],
      ['/api/v1/appointments/{appointmentId}/confirm', 'post'],
      ['/api/v1/appointments/{appointmentId}/cancel', 'post'],
      ['/api/v1/appointments/{appointmentId}/reschedule', 'post'],
    ];
    for (const [path, method] of expected) {
      const op = doc.paths[path]?.[method];
      expect({ path, public: op?.['x-amtsweg-access'] }).toEqual({ path, public: { public: true } });
    }
    expect(doc.paths['/api/v1/appointments']!.post!.responses['409']).toBeDefined();
    expect(doc.paths['/api/v1/admin/offices/{officeId}/slots']?.post?.['x-amtsweg-access']).toEqual({ roles: ['admin', 'caseworker'] });
    expect(doc.paths['/api/v1/admin/appointments/{appointmentId}/attendance']?.post?.requestBody).toBeDefined();
  });

  it('rate-limits booking per client IP with 429 and Retry-After', async () => {
    const http = app.getHttpServer();
    const invalid = { serviceId: 'anmeldung-wohnung' }; // 422 from validation, before any database access
    for (let i = 0; i < 3; i++) expect((await request(http).post('/api/v1/appointments').send(invalid)).status).toBe(422);
    const limited = await request(http).post('/api/v1/appointments').send(invalid);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('office administration needs admin or caseworker', async () => {
    const http = app.getHttpServer();
    const citizen = (await signDevToken(testConfig().DEV_JWT_SECRET, { sub: 'c-1', roles: ['citizen'], trustLevel: 'basis', groups: [] }, 600)).access_token;
    expect((await request(http).post('/api/v1/admin/offices/buergeramt-wedding/slots').send({})).status).toBe(401);
    expect((await request(http).post('/api/v1/admin/offices/buergeramt-wedding/slots').set('Authorization', `Bearer ${citizen}`).send({})).status).toBe(403);
    expect((await request(http).post('/api/v1/admin/appointments/x/attendance').set('Authorization', `Bearer ${citizen}`).send({ attended: true })).status).toBe(403);
  });
});
