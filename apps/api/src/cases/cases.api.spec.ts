import { createHash, randomUUID } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { signDevToken } from '../../../../libs/auth/src/dev-tokens';
import type { Principal } from '../../../../libs/auth/src/principal';
import { openCase, recordEvent } from '../../../../libs/db/src/cases';
import { createTestDatabase } from '../../../../test/support/db';
import type { TestDatabase } from '../../../../test/support/db';
import { createTestApp, testConfig } from '../testing/test-app';

// The case endpoints in-process against a fresh PostgreSQL database (no Temporal: the endpoints
// here never reach it; withdraw and request uploads are in cases.workflow.spec.ts).
const MAX = 4096;
const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(600, 0x20), Buffer.from('\n%%EOF\n')]);
const EXE = Buffer.concat([Buffer.from('MZ\x90\x00'), Buffer.alloc(300, 0x41)]);

let db: TestDatabase;
let app: NestExpressApplication;
let http: ReturnType<NestExpressApplication['getHttpServer']>;
const secret = testConfig().DEV_JWT_SECRET;
const tokens: Record<string, string> = {};

async function token(p: Partial<Principal> & { sub: string }): Promise<string> {
  return (await signDevToken(secret, { roles: ['citizen'], trustLevel: 'substantiell', groups: [], ...p }, 3600)).access_token;
}
const auth = (who: string) => ({ Authorization: `Bearer ${tokens[who]}` });

const A = `citizen-a-${randomUUID()}`;
const B = `citizen-b-${randomUUID()}`;
const aCases: string[] = [];
let bCase: string;

beforeAll(async () => {
  db = await createTestDatabase('cases_api');
  app = await createTestApp({ DATABASE_URL: db.url, DOCUMENT_MAX_BYTES: String(MAX), RATE_LIMIT_AUTHENTICATED_PER_MINUTE: '10000' });
  http = app.getHttpServer();
  tokens.a = await token({ sub: A });
  tokens.b = await token({ sub: B });
  tokens.admin = await token({ sub: 'admin-1', roles: ['admin'] });
  tokens.caseworker = await token({ sub: 'cw-1', roles: ['caseworker'], groups: ['wohngeld'] });
  for (let i = 0; i < 7; i++) {
    const id = randomUUID();
    await openCase(db.pool, { caseId: id, type: i % 2 ? 'wohngeld' : 'gewerbeanmeldung', ownerSub: A, ownerEmail: 'a@example.org', workflowId: `case-${id}` });
    aCases.push(id);
  }
  bCase = randomUUID();
  await openCase(db.pool, { caseId: bCase, type: 'wohngeld', ownerSub: B, workflowId: `case-${bCase}` });
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

describe('GET /api/v1/cases', () => {
  it('lists only the caller’s cases, page by page with the cursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: request.Response = await request(http)
        .get('/api/v1/cases')
        .query({ limit: 3, ...(cursor && { cursor }) })
        .set(auth('a'));
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      for (const item of res.body.items) {
        expect(item).toEqual({ caseId: expect.any(String), caseNumber: expect.stringMatching(/^(WG|GA)-\d{4}-\d{6}$/), type: expect.any(String), status: 'SUBMITTED', statusText: expect.any(String), updatedAt: expect.any(String) });
        seen.push(item.caseId);
      }
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual([...aCases].sort());
    expect(seen).not.toContain(bCase);
  });

  it('validates limit and cursor', async () => {
    expect((await request(http).get('/api/v1/cases?limit=101').set(auth('a'))).status).toBe(422);
    expect((await request(http).get('/api/v1/cases?limit=abc').set(auth('a'))).status).toBe(400);
    expect((await request(http).get('/api/v1/cases?cursor=forged').set(auth('a'))).status).toBe(422);
    expect((await request(http).get('/api/v1/cases')).status).toBe(401);
    expect((await request(http).get('/api/v1/cases').set(auth('caseworker'))).status).toBe(403);
  });
});

describe('GET /api/v1/cases/{caseId}', () => {
  it('shows the owner the case with citizen timeline entries only', async () => {
    const id = aCases[0]!;
    await recordEvent(db.pool, { caseId: id, eventKey: 'intern-1', audience: 'internal', text: 'Vermerk: Rückfrage beim Vermieter', actor: 'cw' });
    await recordEvent(db.pool, { caseId: id, eventKey: 'received', status: 'RECEIVED', audience: 'citizen', text: 'Wir prüfen Ihren Antrag.', actor: 'wf' });
    const reqId = randomUUID();
    await db.pool.query("INSERT INTO case_requests (id, case_id, kind, text, due_by) VALUES ($1, $2, 'proof', 'Bitte Mietvertrag hochladen', now() + interval '14 days')", [reqId, id]);

    const res = await request(http).get(`/api/v1/cases/${id}`).set(auth('a'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ caseId: id, status: 'RECEIVED', statusText: 'Wir prüfen Ihren Antrag.', submittedAt: expect.any(String), documents: [] });
    expect(res.body.timeline).toEqual([
      { at: expect.any(String), status: 'SUBMITTED', text: 'Ihr Antrag ist bei uns eingegangen.' },
      { at: expect.any(String), status: 'RECEIVED', text: 'Wir prüfen Ihren Antrag.' },
    ]);
    expect(JSON.stringify(res.body)).not.toContain('Vermerk');
    expect(res.body.openRequests).toEqual([{ requestId: reqId, kind: 'proof', text: 'Bitte Mietvertrag hochladen', dueBy: expect.any(String) }]);
    expect(res.body).not.toHaveProperty('decision');

    const staff = await request(http).get(`/api/v1/cases/${id}`).set(auth('admin'));
    expect(staff.status).toBe(200);
    expect(staff.body.timeline.map((e: { audience: string }) => e.audience)).toEqual(['citizen', 'internal', 'citizen']);
  });

  it('answers 404 — never 403 — for someone else’s case, an unknown or a malformed id', async () => {
    for (const path of [`/api/v1/cases/${aCases[0]}`, `/api/v1/cases/${randomUUID()}`, '/api/v1/cases/not-a-uuid', "/api/v1/cases/1'%20OR%20'1'='1"]) {
      const res = await request(http).get(path).set(auth('b'));
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect((await request(http).get(`/api/v1/cases/${aCases[0]}`).set(auth('caseworker'))).status).toBe(403);
  });
});

describe('documents', () => {
  let documentId: string;

  it('accepts a PDF and answers with the server-computed SHA-256', async () => {
    const res = await request(http).post(`/api/v1/cases/${aCases[1]}/documents`).set(auth('a')).attach('file', PDF, { filename: 'Mietvertrag – März.pdf', contentType: 'application/pdf' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      documentId: expect.any(String),
      sha256: createHash('sha256').update(PDF).digest('hex'),
      name: 'Mietvertrag – März.pdf',
      mediaType: 'application/pdf',
      size: PDF.length,
      requestId: null,
    });
    documentId = res.body.documentId;
    const detail = await request(http).get(`/api/v1/cases/${aCases[1]}`).set(auth('a'));
    expect(detail.body.documents).toEqual([expect.objectContaining({ documentId, sha256: res.body.sha256, size: PDF.length })]);
  });

  it('downloads identical bytes as an attachment that browsers must not sniff', async () => {
    const res = await request(http)
      .get(`/api/v1/cases/${aCases[1]}/documents/${documentId}`)
      .set(auth('a'))
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(Buffer.compare(res.body as Buffer, PDF)).toBe(0);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="Mietvertrag _ M_rz\.pdf"; filename\*=UTF-8''Mietvertrag%20%E2%80%93%20M%C3%A4rz\.pdf$/);
  });

  it('hides A’s documents from B (404) and documents of another case', async () => {
    expect((await request(http).get(`/api/v1/cases/${aCases[1]}/documents/${documentId}`).set(auth('b'))).status).toBe(404);
    expect((await request(http).get(`/api/v1/cases/${aCases[2]}/documents/${documentId}`).set(auth('a'))).status).toBe(404);
    expect((await request(http).get(`/api/v1/cases/${aCases[1]}/documents/nope`).set(auth('a'))).status).toBe(404);
    const upload = await request(http).post(`/api/v1/cases/${aCases[1]}/documents`).set(auth('b')).attach('file', PDF, 'x.pdf');
    expect(upload.status).toBe(404);
  });

  it('rejects an executable renamed .pdf (422), an oversized file (413) and a missing file (400)', async () => {
    const exe = await request(http).post(`/api/v1/cases/${aCases[1]}/documents`).set(auth('a')).attach('file', EXE, { filename: 'rechnung.pdf', contentType: 'application/pdf' });
    expect(exe.status).toBe(422);
    expect(exe.body).toMatchObject({ code: 'INVALID', reason: 'unsupported_media_type' });

    const big = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(MAX + 1)]);
    const tooLarge = await request(http).post(`/api/v1/cases/${aCases[1]}/documents`).set(auth('a')).attach('file', big, 'gross.pdf');
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers['content-type']).toMatch(/^application\/problem\+json/);

    const none = await request(http).post(`/api/v1/cases/${aCases[1]}/documents`).set(auth('a')).field('requestId', randomUUID());
    expect(none.status).toBe(400);
    const badRequestId = await request(http).post(`/api/v1/cases/${aCases[1]}/documents`).set(auth('a')).field('requestId', 'x').attach('file', PDF, 'a.pdf');
    expect(badRequestId.status).toBe(422);
  });
});

describe('Idempotency-Key', () => {
  it('replays an upload for the same key and file, refuses the key for another file', async () => {
    const key = randomUUID();
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(randomUUID())]);
    const first = await request(http).post(`/api/v1/cases/${aCases[3]}/documents`).set(auth('a')).set('Idempotency-Key', key).attach('file', png, 'foto.png');
    const second = await request(http).post(`/api/v1/cases/${aCases[3]}/documents`).set(auth('a')).set('Idempotency-Key', key).attach('file', png, 'foto.png');
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(second.status).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.text).toBe(first.text);

    const other = await request(http).post(`/api/v1/cases/${aCases[3]}/documents`).set(auth('a')).set('Idempotency-Key', key).attach('file', PDF, 'foto.pdf');
    expect(other.status).toBe(422);
    expect(other.body.type).toBe('urn:amtsweg:problem:idempotency-key-reused');
    const docs = await db.pool.query('SELECT count(*)::int AS n FROM case_documents WHERE case_id = $1', [aCases[3]]);
    expect(docs.rows[0]).toEqual({ n: 1 });
  });

  it('replays a JSON POST for the same key and body, 422 for another body', async () => {
    const key = randomUUID();
    const body = { sub: 'idem-user', roles: ['citizen'] };
    const first = await request(http).post('/api/v1/dev/token').set('Idempotency-Key', key).send(body);
    await new Promise((r) => setTimeout(r, 1100)); // a second signing would produce another iat
    const second = await request(http).post('/api/v1/dev/token').set('Idempotency-Key', key).send({ roles: ['citizen'], sub: 'idem-user' });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body.access_token).toBe(first.body.access_token);
    const changed = await request(http).post('/api/v1/dev/token').set('Idempotency-Key', key).send({ ...body, sub: 'someone-else' });
    expect(changed.status).toBe(422);
  });
});

describe('OpenAPI', () => {
  it('documents every case endpoint with who may call it', async () => {
    const res = await request(http).get('/docs/openapi.json');
    expect(res.status).toBe(200);
    const paths = res.body.paths as Record<string, Record<string, { 'x-amtsweg-access'?: unknown; requestBody?: { content: Record<string, unknown> }; responses: Record<string, unknown>; parameters?: Array<{ name: string }> }>>;
    expect(paths['/api/v1/cases']?.get?.['x-amtsweg-access']).toEqual({ roles: ['citizen'] });
    expect(paths['/api/v1/cases/{caseId}']?.get?.responses).toHaveProperty('404');
    const upload = paths['/api/v1/cases/{caseId}/documents']?.post;
    expect(upload?.requestBody?.content).toHaveProperty('multipart/form-data');
    expect(upload?.responses).toEqual(expect.objectContaining({ '201': expect.anything(), '413': expect.anything(), '422': expect.anything() }));
    expect(upload?.parameters?.map((p) => p.name)).toContain('Idempotency-Key');
    expect(paths['/api/v1/cases/{caseId}/documents/{documentId}']?.get).toBeDefined();
    expect(paths['/api/v1/cases/{caseId}/withdraw']?.post?.responses).toEqual(expect.objectContaining({ '200': expect.anything(), '409': expect.anything() }));
  });
});
