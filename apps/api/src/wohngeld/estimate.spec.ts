import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createTestApp } from '../testing/test-app';

/**
 * POST /api/v1/wohngeld/estimate through the real HTTP stack (pipes, problem+json, rate limit).
 * The arithmetic itself is derived step by step in libs/domain/src/wohngeld/*.spec.ts; here the
 * API.md example must give the same figure (2 members, 1 entitled, Mietstufe IV, rent 570,
 * pension 880 with health insurance → M 356.30, Y 784.35, z4 190.63… → 191 €).
 */
let app: NestExpressApplication;
beforeAll(async () => {
  app = await createTestApp({ RATE_LIMIT_PUBLIC_PER_MINUTE: '1000' });
});
afterAll(async () => {
  await app?.close();
});

const example = {
  mietstufe: 4,
  householdMembers: 2,
  entitledMembers: 1,
  housing: { kind: 'miete', monthly: 570 },
  incomes: [{ member: 1, kind: 'pension', monthlyGross: 880, taxes: false, healthCare: true, pensionInsurance: false }],
};

describe('POST /api/v1/wohngeld/estimate', () => {
  it('answers the API.md example without a login', async () => {
    const res = await request(app.getHttpServer()).post('/api/v1/wohngeld/estimate').send(example);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ monthlyAmount: 191, eligible: true, consideredRent: 356.3, monthlyIncome: 784.35 });
    expect(res.body.reason).toBeUndefined();
  });

  it('takes "municipality": "Berlin" for Mietstufe IV', async () => {
    const { mietstufe: _m, ...rest } = example;
    const res = await request(app.getHttpServer()).post('/api/v1/wohngeld/estimate').send({ ...rest, municipality: 'Berlin' });
    expect(res.status).toBe(200);
    expect(res.body.monthlyAmount).toBe(191);
  });

  it('says why nothing is paid', async () => {
    const res = await request(app.getHttpServer())
      .post('/api/v1/wohngeld/estimate')
      .send({ ...example, entitledMembers: 2, incomes: [{ member: 1, kind: 'employment', monthlyGross: 5000, taxes: true, healthCare: true, pensionInsurance: true }] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ monthlyAmount: 0, eligible: false, reason: 'income_too_high' });
  });

  it('refuses impossible households with 422 naming each field', async () => {
    const res = await request(app.getHttpServer())
      .post('/api/v1/wohngeld/estimate')
      .send({ ...example, mietstufe: 9, housing: { kind: 'miete', monthly: -5 }, incomes: [{ member: 3, kind: 'pension', monthlyGross: 100 }] });
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    const paths = (res.body.errors as { path: string }[]).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['/mietstufe', '/housing/monthly']));
  });

  it('refuses an unknown municipality and a member that does not exist', async () => {
    const { mietstufe: _m, ...rest } = example;
    const unknown = await request(app.getHttpServer()).post('/api/v1/wohngeld/estimate').send({ ...rest, municipality: 'Atlantis' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors.map((e: { path: string }) => e.path)).toContain('/municipality');
    const ghost = await request(app.getHttpServer()).post('/api/v1/wohngeld/estimate').send({ ...example, incomes: [{ member: 3, kind: 'pension', monthlyGross: 100 }] });
    expect(ghost.status).toBe(422);
    expect(ghost.body.errors.map((e: { path: string }) => e.path)).toContain('/incomes/0/member');
  });

  it('answers 400 for a body of the wrong shape', async () => {
    const res = await request(app.getHttpServer()).post('/api/v1/wohngeld/estimate').send({ ...example, householdMembers: 'zwei' });
    expect(res.status).toBe(400);
  });
});
