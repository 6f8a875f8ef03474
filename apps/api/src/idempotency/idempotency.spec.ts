import { randomUUID } from 'node:crypto';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { signDevToken } from '../../../../libs/auth/src/dev-tokens';
import type { Principal } from '../../../../libs/auth/src/principal';
import { DomainError } from '../../../../libs/domain/src/errors';
import { createTestDatabase } from '../../../../test/support/db';
import type { TestDatabase } from '../../../../test/support/db';
import { CurrentPrincipal, Public, Roles } from '../auth/decorators';
import { createTestApp, testConfig } from '../testing/test-app';
import { canonicalJson } from './request-hash';

/** Counts executions, so a test sees whether a request ran or was replayed. */
const runs = new Map<string, number>();
const count = (name: string) => runs.set(name, (runs.get(name) ?? 0) + 1);

/**
 * Holds the slow handler until the test opens it, so "the first request is still running" is a
 * fact the test arranges, not a guess about timing on a busy machine.
 */
let gate: { entered: Promise<void>; enter: () => void; open: () => void; opened: Promise<void> } | undefined;
function closeGate(): NonNullable<typeof gate> {
  let enter!: () => void;
  let open!: () => void;
  const entered = new Promise<void>((r) => (enter = r));
  const opened = new Promise<void>((r) => (open = r));
  gate = { entered, enter, open, opened };
  return gate;
}

@Controller('test-idem')
class IdemTestController {
  @Post('slow')
  @Roles('citizen')
  async slow(@CurrentPrincipal() p: Principal, @Body() body: { name: string }): Promise<{ id: string; who: string; name: string }> {
    count(`slow:${body.name}`);
    if (gate) {
      gate.enter();
      await gate.opened;
    }
    return { id: randomUUID(), who: p.sub, name: body.name };
  }

  @Post('taken')
  @Roles('citizen')
  taken(@Body() body: { name: string }): never {
    count(`taken:${body.name}`);
    throw new DomainError('CONFLICT', 'This slot has just been taken.', { reason: 'slot_taken' });
  }

  @Post('boom')
  @Roles('citizen')
  boom(@Body() body: { name: string }): never {
    count(`boom:${body.name}`);
    throw new Error('database went away');
  }

  @Post('public')
  @Public()
  @HttpCode(200)
  pub(@Body() body: { name: string }): { id: string } {
    count(`public:${body.name}`);
    return { id: randomUUID() };
  }
}
@Module({ controllers: [IdemTestController] })
class IdemTestModule {}

let db: TestDatabase;
let app: NestExpressApplication;
let http: ReturnType<NestExpressApplication['getHttpServer']>;
const secret = testConfig().DEV_JWT_SECRET;
let alice: string;
let bob: string;

beforeAll(async () => {
  db = await createTestDatabase('idem');
  app = await createTestApp({ DATABASE_URL: db.url, TRUST_PROXY: 'true', RATE_LIMIT_PUBLIC_PER_MINUTE: '1000' }, { imports: [IdemTestModule] });
  http = app.getHttpServer();
  const t = async (sub: string) => (await signDevToken(secret, { sub, roles: ['citizen'], trustLevel: 'basis', groups: [] }, 600)).access_token;
  alice = `Bearer ${await t('alice')}`;
  bob = `Bearer ${await t('bob')}`;
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

describe('Idempotency-Key interceptor', () => {
  it('runs the first request once; a concurrent duplicate gets 409, a later one the stored response', async () => {
    const key = randomUUID();
    const send = () => request(http).post('/api/v1/test-idem/slow').set('Authorization', alice).set('Idempotency-Key', key).send({ name: 'c1' });
    const g = closeGate();
    const first = send().then((r) => r); // supertest sends when then() is called
    await g.entered; // the first request holds the key and is inside the handler
    const b = await send();
    g.open();
    gate = undefined;
    const a = await first;
    expect(a.status).toBe(201);
    expect(b.status).toBe(409);
    expect(b.body.type).toBe('urn:amtsweg:problem:idempotency-key-in-use');
    expect(Number(b.headers['retry-after'])).toBeGreaterThanOrEqual(1);

    const c = await send();
    expect(c.status).toBe(201);
    expect(c.headers['idempotent-replayed']).toBe('true');
    expect(c.text).toBe(a.text);
    expect(runs.get('slow:c1')).toBe(1);
  });

  it('scopes keys per caller: the same key of another caller is another request', async () => {
    const key = randomUUID();
    const a = await request(http).post('/api/v1/test-idem/slow').set('Authorization', alice).set('Idempotency-Key', key).send({ name: 'scope' });
    const b = await request(http).post('/api/v1/test-idem/slow').set('Authorization', bob).set('Idempotency-Key', key).send({ name: 'scope' });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(b.body.who).toBe('bob');
    expect(runs.get('slow:scope')).toBe(2);
    const stored = await db.pool.query('SELECT principal FROM idempotency_keys WHERE key = $1', [key]);
    expect(stored.rows.map((r) => r.principal).join(' ')).not.toMatch(/alice|bob/); // subs are hashed
  });

  it('stores business rejections (replayed as the same problem) but releases technical failures', async () => {
    const key = randomUUID();
    const t1 = await request(http).post('/api/v1/test-idem/taken').set('Authorization', alice).set('Idempotency-Key', key).send({ name: 't' });
    const t2 = await request(http).post('/api/v1/test-idem/taken').set('Authorization', alice).set('Idempotency-Key', key).send({ name: 't' });
    expect([t1.status, t2.status]).toEqual([409, 409]);
    expect(t2.headers['idempotent-replayed']).toBe('true');
    expect(t2.body).toMatchObject({ code: 'CONFLICT', reason: 'slot_taken', detail: t1.body.detail });
    expect(runs.get('taken:t')).toBe(1);

    const key2 = randomUUID();
    const b1 = await request(http).post('/api/v1/test-idem/boom').set('Authorization', alice).set('Idempotency-Key', key2).send({ name: 'b' });
    const b2 = await request(http).post('/api/v1/test-idem/boom').set('Authorization', alice).set('Idempotency-Key', key2).send({ name: 'b' });
    expect([b1.status, b2.status]).toEqual([500, 500]);
    expect(b2.headers['idempotent-replayed']).toBeUndefined();
    expect(runs.get('boom:b')).toBe(2);
    const left = await db.pool.query('SELECT count(*)::int AS n FROM idempotency_keys WHERE key = $1', [key2]);
    expect(left.rows[0]).toEqual({ n: 0 });
  });

  it('does not store edge validation failures: a corrected body may reuse the key', async () => {
    const key = randomUUID();
    const bad = await request(http).post('/api/v1/dev/token').set('Idempotency-Key', key).send({ sub: 'x', roles: ['wizard'] });
    expect(bad.status).toBe(422);
    const good = await request(http).post('/api/v1/dev/token').set('Idempotency-Key', key).send({ sub: 'x', roles: ['citizen'] });
    expect(good.status).toBe(200);
  });

  it('scopes public endpoints by client address, and expires keys after the TTL', async () => {
    const key = randomUUID();
    const from = (ip: string) => request(http).post('/api/v1/test-idem/public').set('X-Forwarded-For', ip).set('Idempotency-Key', key).send({ name: 'p' });
    const a1 = await from('203.0.113.10');
    const a2 = await from('203.0.113.10');
    const b1 = await from('198.51.100.7');
    expect(a2.headers['idempotent-replayed']).toBe('true');
    expect(a2.body.id).toBe(a1.body.id);
    expect(b1.headers['idempotent-replayed']).toBeUndefined();
    expect(runs.get('public:p')).toBe(2);

    await db.pool.query("UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1", [key]);
    const a3 = await from('203.0.113.10');
    expect(a3.headers['idempotent-replayed']).toBeUndefined();
    expect(a3.body.id).not.toBe(a1.body.id);
    expect(runs.get('public:p')).toBe(3);
  });

  it('refuses malformed keys and ignores requests without one', async () => {
    const bad = await request(http).post('/api/v1/test-idem/public').set('Idempotency-Key', 'ä'.repeat(3)).send({ name: 'm' });
    expect(bad.status).toBe(400);
    await request(http).post('/api/v1/test-idem/public').send({ name: 'n' });
    await request(http).post('/api/v1/test-idem/public').send({ name: 'n' });
    expect(runs.get('public:n')).toBe(2);
  });

  it('hashes bodies canonically (key order does not matter, values do)', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}');
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: '1' }));
  });
});
