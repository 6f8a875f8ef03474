import { Controller, Get, Module } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { SignJWT } from 'jose';
import request from 'supertest';
import { DEV_TOKEN_AUDIENCE, DEV_TOKEN_ISSUER, signDevToken } from '../../../libs/auth/src/dev-tokens';
import type { Principal } from '../../../libs/auth/src/principal';
import { DomainError } from '../../../libs/domain/src/errors';
import { CurrentPrincipal, Public, Roles } from './auth/decorators';
import { createTestApp, testConfig } from './testing/test-app';

/** Endpoints that exist only in this test, to exercise the guard and the problem filter. */
@Controller('test')
class TestOnlyController {
  @Get('admin-only')
  @Roles('admin')
  adminOnly(@CurrentPrincipal() p: Principal): { sub: string } {
    return { sub: p.sub };
  }

  @Get('boom')
  @Public()
  boom(): never {
    throw new Error('connection to postgres://app:s3cret@db-internal failed');
  }

  @Get('conflict')
  @Public()
  conflict(): never {
    throw new DomainError('CONFLICT', 'This slot has just been taken.', { reason: 'slot_taken' });
  }

  @Get('workflow-rejects')
  @Public()
  workflowRejects(): never {
    throw new WorkflowUpdateFailedError(
      'Workflow Update failed',
      ApplicationFailure.create({ type: 'INVALID', message: 'The form data is incomplete.', nonRetryable: true, details: [{ errors: [{ path: '/outcome', message: 'required' }] }] }),
    );
  }
}
@Module({ controllers: [TestOnlyController] })
class TestOnlyModule {}

@Controller('test-undeclared')
class UndeclaredController {
  @Get()
  open(): string {
    return 'must never be reachable';
  }
}
@Module({ controllers: [UndeclaredController] })
class UndeclaredModule {}

const secret = testConfig().DEV_JWT_SECRET;
const citizen: Principal = { sub: 'citizen-a', roles: ['citizen'], trustLevel: 'substantiell', groups: [] };

function expectProblem(res: request.Response, status: number): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.body as Record<string, unknown>;
  expect(body).toEqual(expect.objectContaining({ type: expect.stringMatching(/^urn:amtsweg:problem:/), title: expect.any(String), status, detail: expect.any(String) }));
  expect(body.instance).toEqual(expect.any(String));
  expect(body.requestId).toBe(res.headers['x-request-id']);
}

describe('API skeleton (in-process, AUTH_MODE=dev)', () => {
  let app: NestExpressApplication;
  let http: ReturnType<NestExpressApplication['getHttpServer']>;

  beforeAll(async () => {
    app = await createTestApp({}, { imports: [TestOnlyModule] });
    http = app.getHttpServer();
  });
  afterAll(async () => {
    await app.close();
  });

  describe('problem+json for every failure', () => {
    it('unknown route → 404', async () => {
      const res = await request(http).get('/api/v1/no-such-thing?token=abc');
      expectProblem(res, 404);
      expect(res.body.instance).toBe('/api/v1/no-such-thing'); // never the query string
    });

    it('malformed JSON → 400', async () => {
      const res = await request(http).post('/api/v1/dev/token').set('Content-Type', 'application/json').send('{"sub": "x",');
      expectProblem(res, 400);
      expect(res.body.detail).toBe('The request body is not valid JSON.');
    });

    it('a body over the limit → 413', async () => {
      const res = await request(http)
        .post('/api/v1/dev/token')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ sub: 'x'.repeat(200 * 1024), roles: ['citizen'] }));
      expectProblem(res, 413);
    });

    it('well-formed but invalid → 422 with errors[] as JSON pointers', async () => {
      const res = await request(http).post('/api/v1/dev/token').send({ sub: 'a', roles: ['citizen', 'superuser'], trust_level: 'mega' });
      expectProblem(res, 422);
      expect(res.body.type).toBe('urn:amtsweg:problem:validation-failed');
      const paths = (res.body.errors as Array<{ path: string; message: string }>).map((e) => e.path).sort();
      expect(paths).toEqual(['/roles/1', '/trust_level']);
    });

    it('a missing required field or an unknown field → 422', async () => {
      const res = await request(http).post('/api/v1/dev/token').send({ roles: ['citizen'], trustLevel: 'hoch' });
      expectProblem(res, 422);
      const paths = (res.body.errors as Array<{ path: string }>).map((e) => e.path).sort();
      expect(paths).toEqual(['', '/sub']); // "" = the object itself (unrecognized key)
    });

    it('wrong JSON types or a non-object body → 400 (malformed), not 422', async () => {
      const wrongType = await request(http).post('/api/v1/dev/token').send({ sub: 42, roles: 'citizen' });
      expectProblem(wrongType, 400);
      expect((wrongType.body.errors as Array<{ path: string }>).map((e) => e.path).sort()).toEqual(['/roles', '/sub']);

      const array = await request(http).post('/api/v1/dev/token').send([1, 2]);
      expectProblem(array, 400);

      const noBody = await request(http).post('/api/v1/dev/token').set('Content-Type', 'text/plain').send('sub=a');
      expectProblem(noBody, 400);
    });

    it('an unexpected error → 500 with a generic detail that leaks nothing', async () => {
      const res = await request(http).get('/api/v1/test/boom');
      expectProblem(res, 500);
      expect(JSON.stringify(res.body)).not.toMatch(/postgres|s3cret|db-internal|stack/);
    });

    it('a DomainError is mapped at the edge (CONFLICT → 409 with code and reason)', async () => {
      const res = await request(http).get('/api/v1/test/conflict');
      expectProblem(res, 409);
      expect(res.body).toMatchObject({ code: 'CONFLICT', reason: 'slot_taken', detail: 'This slot has just been taken.' });
    });

    it("a workflow's business rejection (ApplicationFailure type INVALID) → 422 with its errors", async () => {
      const res = await request(http).get('/api/v1/test/workflow-rejects');
      expectProblem(res, 422);
      expect(res.body.errors).toEqual([{ path: '/outcome', message: 'required' }]);
    });
  });

  describe('request ids', () => {
    it('honours a sane X-Request-Id and generates one otherwise', async () => {
      const given = await request(http).get('/health/live').set('X-Request-Id', 'trace-123.abc');
      expect(given.headers['x-request-id']).toBe('trace-123.abc');
      const generated = await request(http).get('/health/live').set('X-Request-Id', 'bad id with spaces');
      expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('identity', () => {
    it('dev token roundtrip: issue, then call an authenticated endpoint', async () => {
      const res = await request(http)
        .post('/api/v1/dev/token')
        .send({ sub: 'cw-1', roles: ['caseworker'], trust_level: 'hoch', office: 'ba-mitte', groups: ['wohngeld'], email: 'cw@example.org', name: 'Erika M.' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600 });
      const me = await request(http).get('/api/v1/me').set('Authorization', `Bearer ${res.body.access_token as string}`);
      expect(me.status).toBe(200);
      expect(me.body).toEqual({ sub: 'cw-1', roles: ['caseworker'], trust_level: 'hoch', office: 'ba-mitte', groups: ['wohngeld'], email: 'cw@example.org', name: 'Erika M.' });
    });

    it('no token → 401 with WWW-Authenticate: Bearer', async () => {
      const res = await request(http).get('/api/v1/me');
      expectProblem(res, 401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="amtsweg"/);
    });

    it('a token signed with another key → 401 invalid_token', async () => {
      const forged = await signDevToken('x'.repeat(40), citizen, 600);
      const res = await request(http).get('/api/v1/me').set('Authorization', `Bearer ${forged.access_token}`);
      expectProblem(res, 401);
      expect(res.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    });

    it('an expired token → 401 saying so', async () => {
      const now = Math.floor(Date.now() / 1000);
      const expired = await new SignJWT({ roles: ['citizen'] })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('citizen-a')
        .setIssuer(DEV_TOKEN_ISSUER)
        .setAudience(DEV_TOKEN_AUDIENCE)
        .setIssuedAt(now - 3600)
        .setExpirationTime(now - 60)
        .sign(new TextEncoder().encode(secret));
      const res = await request(http).get('/api/v1/me').set('Authorization', `Bearer ${expired}`);
      expectProblem(res, 401);
      expect(res.body.detail).toBe('The access token has expired.');
    });

    it('a token for another audience → 401', async () => {
      const other = await new SignJWT({ roles: ['admin'] })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('x')
        .setIssuer(DEV_TOKEN_ISSUER)
        .setAudience('some-other-service')
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(secret));
      const res = await request(http).get('/api/v1/me').set('Authorization', `Bearer ${other}`);
      expectProblem(res, 401);
    });

    it('garbage in the Authorization header → 401', async () => {
      for (const header of ['Bearer not.a.jwt', 'Basic dXNlcjpwYXNz', 'Bearer']) {
        const res = await request(http).get('/api/v1/me').set('Authorization', header);
        expectProblem(res, 401);
      }
    });

    it('the wrong role → 403, the right role → 200', async () => {
      const c = await signDevToken(secret, citizen, 600);
      const denied = await request(http).get('/api/v1/test/admin-only').set('Authorization', `Bearer ${c.access_token}`);
      expectProblem(denied, 403);
      const a = await signDevToken(secret, { ...citizen, sub: 'admin-1', roles: ['admin'] }, 600);
      const allowed = await request(http).get('/api/v1/test/admin-only').set('Authorization', `Bearer ${a.access_token}`);
      expect(allowed.status).toBe(200);
      expect(allowed.body).toEqual({ sub: 'admin-1' });
    });

    it('default deny: an endpoint without @Public/@Roles/@Authenticated stops the app at boot', async () => {
      await expect(createTestApp({}, { imports: [UndeclaredModule] })).rejects.toThrow(/UndeclaredController\.open/);
    });
  });

  describe('operations', () => {
    it('sets security headers and hides the framework', async () => {
      const res = await request(http).get('/health/live');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
      expect(res.headers['x-powered-by']).toBeUndefined();
    });

    it('/docs/openapi.json is an OpenAPI 3 document with the skeleton endpoints and resolvable $refs', async () => {
      const res = await request(http).get('/docs/openapi.json');
      expect(res.status).toBe(200);
      const doc = res.body as { openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, { responses: Record<string, unknown>; requestBody?: unknown; security?: unknown }>>; components: Record<string, Record<string, unknown>> };
      expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
      expect(doc.info).toEqual(expect.objectContaining({ title: 'amtsweg API', version: expect.any(String) }));
      expect(doc.paths['/api/v1/dev/token']?.post?.requestBody).toBeDefined();
      expect(doc.paths['/api/v1/dev/token']?.post?.responses['200']).toBeDefined();
      expect(doc.paths['/health']?.get).toBeDefined();
      expect(doc.paths['/api/v1/me']?.get?.security).toEqual([{ bearer: [] }]);
      expect(Object.keys(doc.paths).some((p) => p.includes('/test/'))).toBe(true); // test controllers are documented too
      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) expect({ path, method, responses: Object.keys(op.responses).length > 0 }).toEqual({ path, method, responses: true });
      }
      const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1] as string);
      expect(refs.length).toBeGreaterThan(0);
      for (const name of refs) expect(doc.components.schemas?.[name]).toBeDefined();
    });

    it('/docs serves Swagger UI from local assets only (works offline)', async () => {
      const page = await request(http).get('/docs');
      expect(page.status).toBe(200);
      expect(page.text).toMatch(/swagger-ui-bundle\.js/);
      expect(page.text).not.toMatch(/(src|href)=["']https?:\/\//);
      const bundle = await request(http).get('/docs/swagger-ui-bundle.js');
      expect(bundle.status).toBe(200);
      const init = await request(http).get('/docs/swagger-ui-init.js');
      expect(init.status).toBe(200);
      expect(init.text).toMatch(/api\/v1\/dev\/token/);
    });

    it('/metrics has the HTTP histogram labelled by route template, never by raw path', async () => {
      await request(http).get('/api/v1/no-such-thing/12345');
      await request(http).post('/api/v1/dev/token').send({ sub: 'm', roles: ['citizen'] });
      const res = await request(http).get('/metrics');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.text).toMatch(/# TYPE http_request_duration_seconds histogram/);
      expect(res.text).toMatch(/http_request_duration_seconds_bucket\{[^}]*method="POST",route="\/api\/v1\/dev\/token",status_code="200"/);
      expect(res.text).toMatch(/route="\(unmatched\)",status_code="404"/);
      expect(res.text).not.toMatch(/12345/);
      expect(res.text).toMatch(/process_cpu_user_seconds_total/);
    });

    it('/health and /metrics live outside /api/v1', async () => {
      expect((await request(http).get('/api/v1/health')).status).toBe(404);
      expect((await request(http).get('/health')).status).toBe(200);
    });
  });
});

describe('AUTH_MODE=oidc without dev tokens', () => {
  it('POST /api/v1/dev/token is 404', async () => {
    const app = await createTestApp({ AUTH_MODE: 'oidc', OIDC_ISSUER: 'http://127.0.0.1:9/', OIDC_AUDIENCE: 'amtsweg-api' });
    try {
      const res = await request(app.getHttpServer()).post('/api/v1/dev/token').send({ sub: 'a', roles: ['admin'] });
      expectProblem(res, 404);
    } finally {
      await app.close();
    }
  });
});
