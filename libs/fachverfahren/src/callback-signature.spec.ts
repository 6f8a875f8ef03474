import { createHmac } from 'node:crypto';
import type * as NodeCrypto from 'node:crypto';
import { createTestDatabase } from '../../../test/support/db';
import type { TestDatabase } from '../../../test/support/db';
import { MAX_SKEW_SECONDS, signMessage, unixSeconds, verifySignature } from './callback-signature';
import { CallbackRejectedError, receiveCallback } from './inbound';
import type { InboundDeps, RoutedCallback } from './inbound';
import { PgAdapterCallStore, PgReplayStore } from './stores';

const SECRET = 'test-secret-0123456789-0123456789-abcdef';
const OTHER = 'another-secret-0123456789-0123456789-xyz';
const body = JSON.stringify({ callbackId: 'cb-0001-aaaa', event: 'payment.paid', externalId: 'pay_1' });

describe('HMAC-SHA-512 signatures (X-Timestamp, X-Signature)', () => {
  it('accepts a message signed with the secret, in time', () => {
    const h = signMessage(SECRET, body);
    expect(h['X-Signature']).toMatch(/^sha512=[0-9a-f]{128}$/);
    expect(h['X-Timestamp']).toMatch(/^\d+$/);
    expect(verifySignature({ secrets: [SECRET], rawBody: Buffer.from(body), timestamp: h['X-Timestamp'], signature: h['X-Signature'] })).toEqual({
      ok: true,
      timestamp: Number(h['X-Timestamp']),
    });
  });

  it('signs timestamp + "." + the raw body, exactly', () => {
    const ts = 1767225600;
    const expected = createHmac('sha512', SECRET).update(`${ts}.${body}`).digest('hex');
    expect(signMessage(SECRET, body, ts)).toEqual({ 'X-Timestamp': String(ts), 'X-Signature': `sha512=${expected}` });
  });

  it('rejects a wrong secret, a changed body and a changed timestamp as bad_signature', () => {
    const h = signMessage(OTHER, body);
    expect(verifySignature({ secrets: [SECRET], rawBody: body, timestamp: h['X-Timestamp'], signature: h['X-Signature'] })).toEqual({ ok: false, reason: 'bad_signature' });
    const good = signMessage(SECRET, body);
    expect(verifySignature({ secrets: [SECRET], rawBody: body.replace('pay_1', 'pay_2'), timestamp: good['X-Timestamp'], signature: good['X-Signature'] })).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verifySignature({ secrets: [SECRET], rawBody: body, timestamp: String(Number(good['X-Timestamp']) - 1), signature: good['X-Signature'] })).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('rejects a timestamp more than 5 minutes old, and one more than 5 minutes ahead', () => {
    const now = new Date('2026-03-01T12:00:00Z');
    const at = (offset: number) => signMessage(SECRET, body, unixSeconds(now) + offset);
    const check = (offset: number) => {
      const h = at(offset);
      return verifySignature({ secrets: [SECRET], rawBody: body, timestamp: h['X-Timestamp'], signature: h['X-Signature'], now });
    };
    expect(check(-MAX_SKEW_SECONDS)).toMatchObject({ ok: true });
    expect(check(-MAX_SKEW_SECONDS - 1)).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(check(MAX_SKEW_SECONDS)).toMatchObject({ ok: true });
    expect(check(MAX_SKEW_SECONDS + 1)).toEqual({ ok: false, reason: 'future_timestamp' });
  });

  it('rejects missing and malformed headers', () => {
    const h = signMessage(SECRET, body);
    expect(verifySignature({ secrets: [SECRET], rawBody: body, timestamp: undefined, signature: h['X-Signature'] })).toEqual({ ok: false, reason: 'missing_headers' });
    expect(verifySignature({ secrets: [SECRET], rawBody: body, timestamp: h['X-Timestamp'], signature: h['X-Signature'].replace('sha512=', 'sha256=') })).toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(verifySignature({ secrets: [SECRET], rawBody: body, timestamp: h['X-Timestamp'], signature: h['X-Signature'].slice(0, -2) })).toEqual({ ok: false, reason: 'malformed' });
    expect(verifySignature({ secrets: [SECRET], rawBody: body, timestamp: new Date().toISOString(), signature: h['X-Signature'] })).toEqual({ ok: false, reason: 'malformed' });
  });

  it('accepts the previous secret during a rotation', () => {
    const h = signMessage(OTHER, body);
    expect(verifySignature({ secrets: [SECRET, OTHER], rawBody: body, timestamp: h['X-Timestamp'], signature: h['X-Signature'] })).toMatchObject({ ok: true });
  });

  it('compares with crypto.timingSafeEqual on equal-length buffers, for every secret', () => {
    // The module object itself (an `import *` would be a copy made by the CommonJS interop).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nodeCrypto = require('node:crypto') as typeof NodeCrypto;
    const spy = jest.spyOn(nodeCrypto, 'timingSafeEqual');
    try {
      const h = signMessage(OTHER, body);
      verifySignature({ secrets: [SECRET, OTHER], rawBody: body, timestamp: h['X-Timestamp'], signature: h['X-Signature'] });
      expect(spy).toHaveBeenCalledTimes(2);
      for (const [a, b] of spy.mock.calls) expect((a as Buffer).length).toBe((b as Buffer).length);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('receiveCallback with the PostgreSQL replay store', () => {
  let db: TestDatabase;
  let deps: InboundDeps;
  const delivered: { workflowId: string; callback: RoutedCallback }[] = [];
  let failDelivery = false;

  beforeAll(async () => {
    db = await createTestDatabase('fv_callbacks');
    const calls = new PgAdapterCallStore(db.pool);
    await calls.begin({ adapter: 'epayment', caseId: 'case-1', step: 'fee', operation: 'payment', idempotencyKey: 'k', workflowId: 'wf-gewerbe-1' });
    await calls.succeeded({ adapter: 'epayment', caseId: 'case-1', step: 'fee' }, 'pay_1', 'created');
    deps = {
      secretsOf: (name) => (name === 'epayment' ? [SECRET] : undefined),
      replay: new PgReplayStore(db.pool),
      routes: calls,
      deliver: async (workflowId, callback) => {
        if (failDelivery) throw new Error('Temporal unavailable');
        delivered.push({ workflowId, callback });
      },
    };
  });
  afterAll(async () => {
    await db?.drop();
  });

  const send = (raw: string, opts: { secret?: string; ts?: number; adapter?: string; replayStore?: PgReplayStore } = {}) => {
    const h = signMessage(opts.secret ?? SECRET, raw, opts.ts);
    return receiveCallback(opts.replayStore ? { ...deps, replay: opts.replayStore } : deps, {
      adapter: opts.adapter ?? 'epayment',
      rawBody: Buffer.from(raw),
      headers: { 'x-timestamp': h['X-Timestamp'], 'x-signature': h['X-Signature'] },
    });
  };
  const rejection = async (p: Promise<unknown>) => {
    const e = await p.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(CallbackRejectedError);
    return (e as CallbackRejectedError).rejection;
  };

  it('accepts a good callback once, routes it by externalId, and rejects its replay', async () => {
    const raw = JSON.stringify({ callbackId: 'cb-replay-0001', event: 'payment.paid', externalId: 'pay_1', data: { amount: '15.00' } });
    await expect(send(raw)).resolves.toEqual({ callbackId: 'cb-replay-0001', event: 'payment.paid', workflowId: 'wf-gewerbe-1' });
    expect(delivered.at(-1)).toMatchObject({ workflowId: 'wf-gewerbe-1', callback: { adapter: 'epayment', caseId: 'case-1', step: 'fee', event: 'payment.paid', data: { amount: '15.00' } } });
    // The identical request again (same signature), and the same event re-signed later: both replays.
    expect(await rejection(send(raw))).toEqual({ kind: 'unauthenticated', reason: 'replay' });
    expect(await rejection(send(raw, { ts: unixSeconds() + 1 }))).toEqual({ kind: 'unauthenticated', reason: 'replay' });
    // Another API replica (its own store on its own connection) sees the same receipts.
    expect(await rejection(send(raw, { ts: unixSeconds() + 2, replayStore: new PgReplayStore(db.pool) }))).toEqual({ kind: 'unauthenticated', reason: 'replay' });
    const rows = await db.pool.query('SELECT workflow_id FROM callback_receipts WHERE callback_id = $1', ['cb-replay-0001']);
    expect(rows.rows).toEqual([{ workflow_id: 'wf-gewerbe-1' }]);
  });

  it('accepts exactly one of concurrent duplicates', async () => {
    const raw = JSON.stringify({ callbackId: 'cb-concurrent-01', event: 'payment.paid', caseId: 'case-1', step: 'fee' });
    const before = delivered.length;
    const results = await Promise.allSettled([send(raw), send(raw), send(raw), send(raw)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(delivered.length - before).toBe(1);
  });

  it('rejects a wrong signature, an old and a future timestamp without recording them', async () => {
    const raw = JSON.stringify({ callbackId: 'cb-badsig-00001', event: 'payment.paid', externalId: 'pay_1' });
    expect(await rejection(send(raw, { secret: OTHER }))).toEqual({ kind: 'unauthenticated', reason: 'bad_signature' });
    expect(await rejection(send(raw, { ts: unixSeconds() - 301 }))).toEqual({ kind: 'unauthenticated', reason: 'stale_timestamp' });
    expect(await rejection(send(raw, { ts: unixSeconds() + 301 }))).toEqual({ kind: 'unauthenticated', reason: 'future_timestamp' });
    const rows = await db.pool.query('SELECT 1 FROM callback_receipts WHERE callback_id = $1', ['cb-badsig-00001']);
    expect(rows.rowCount).toBe(0);
    // …so the genuine one still gets through.
    await expect(send(raw)).resolves.toMatchObject({ callbackId: 'cb-badsig-00001' });
  });

  it('forgets the receipt when routing or delivery fails, so the sender can retry', async () => {
    const unknown = JSON.stringify({ callbackId: 'cb-unrouted-001', event: 'payment.paid', externalId: 'pay_unknown' });
    expect(await rejection(send(unknown))).toEqual({ kind: 'unroutable' });
    expect(await rejection(send(unknown))).toEqual({ kind: 'unroutable' }); // not "replay"

    const raw = JSON.stringify({ callbackId: 'cb-delivery-001', event: 'payment.paid', externalId: 'pay_1' });
    failDelivery = true;
    await expect(send(raw)).rejects.toThrow('Temporal unavailable');
    failDelivery = false;
    await expect(send(raw)).resolves.toMatchObject({ callbackId: 'cb-delivery-001' });
  });

  it('rejects unknown adapters and malformed bodies', async () => {
    const raw = JSON.stringify({ callbackId: 'cb-malformed-01', event: 'Payment Paid' });
    expect(await rejection(send(raw, { adapter: 'nope' }))).toEqual({ kind: 'unknown_adapter' });
    const r = await rejection(send(raw));
    expect(r.kind).toBe('malformed');
    expect(r.kind === 'malformed' && r.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['/event', '/externalId']));
  });
});
