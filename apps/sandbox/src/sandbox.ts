import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { AMOUNT, SUBMISSION_KINDS } from '../../../libs/fachverfahren/src/adapter';
import { signatureHeadersOf, signMessage, verifySignature } from '../../../libs/fachverfahren/src/callback-signature';
import { DeliveryInbox } from './delivery-inbox';
import type { ReceivedDelivery } from './delivery-inbox';
import { parseFault, ruleMatches } from './faults';
import type { FaultRule, FaultSpec, RequestFacts } from './faults';
import { payPage } from './pay-page';

/**
 * SANDBOX FACHVERFAHREN SIMULATOR. Plays, over real HTTP, the specialist systems amtsweg talks to —
 * the Wohngeld Fachverfahren (payment instructions), the Gewerberegister (registrations), the § 14
 * GewO recipients (deliveries), the permit register for Bewohnerparkausweise and an ePayment provider (start → the citizen pays on a page →
 * signed callback; refunds) — speaking the reference protocol of libs/fachverfahren/src/http-adapter.ts
 * under `/fv/{adapter}/…`. It is not a real Fachverfahren: every answer says `"simulator": true`.
 *
 * Realistic on purpose: latency (SANDBOX_DELAY_MS), idempotency by the Idempotency-Key (same key →
 * the first success again; same key with another body → 422 IDEMPOTENCY_KEY_REUSED), signature checks on
 * requests, validation with business codes, asynchronous completion with HMAC-signed callbacks
 * (retried with backoff when amtsweg does not answer 2xx), and failure modes per request (faults.ts).
 */
export interface SandboxOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Secrets per adapter name (requests are verified, callbacks signed with them). */
  secrets?: Record<string, string>;
  /** Secret for adapter names not in `secrets`; without either, requests are not verified and no callbacks go out. */
  defaultSecret?: string;
  /** Base URL of the amtsweg API for callbacks (`{url}/api/v1/integrations/{adapter}/callbacks`); unset: no callbacks. */
  callbackUrl?: string;
  /** Latency per /fv request, uniformly in [min, max] ms. Default [20, 200]. */
  delayMs?: readonly [number, number];
  /** How long a Wohngeld payment instruction stays `accepted` before it completes. Default 1000 ms. */
  completionDelayMs?: number;
  /** Base URL in payment redirect links (what the citizen's browser reaches); default the listening address. */
  publicUrl?: string;
  /** Keep state in this JSON file across restarts; default in memory only. */
  stateFile?: string;
  /** Callback delivery attempts (backoff 250 ms · 2^n). Default 6. */
  callbackAttempts?: number;
  /** Request log lines; default silent. Never receives payloads. */
  log?: (line: string) => void;
}

interface Submission {
  externalId: string;
  adapter: string;
  caseId: string;
  step: string;
  kind: string;
  status: 'accepted' | 'processing' | 'completed' | 'rejected' | 'cancelled';
  result?: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

interface Payment {
  paymentId: string;
  adapter: string;
  caseId: string;
  step: string;
  amount: string;
  purpose: string;
  returnUrl: string;
  status: 'created' | 'paid' | 'failed' | 'expired' | 'refunded';
  refundedCents: number;
  createdAt: string;
  paidAt?: string;
}

interface Refund {
  refundId: string;
  paymentId: string;
  amount: string;
  status: 'refunded';
  createdAt: string;
}

interface StoredAnswer {
  hash: string;
  status: number;
  body: Record<string, unknown>;
}

interface State {
  submissions: Record<string, Submission>;
  payments: Record<string, Payment>;
  refunds: Record<string, Refund>;
  idempotency: Record<string, StoredAnswer>;
}

export interface SentCallback {
  callbackId: string;
  adapter: string;
  event: string;
  externalId?: string;
  caseId?: string;
  step?: string;
  outcome: 'pending' | 'delivered' | 'rejected' | 'failed';
  httpStatus?: number;
  attempts: number;
}

export interface RunningSandbox {
  /** http://host:port */
  url: string;
  port: number;
  /** Adds a standing fault rule; returns its id. */
  addFault(rule: FaultRule): string;
  clearFaults(): void;
  /** Completes a submission now (as the Fachverfahren would), sending its callback. */
  completeSubmission(adapter: string, externalId: string): void;
  /** Callbacks sent so far (newest last). */
  readonly callbacks: readonly SentCallback[];
  /** § 14 deliveries received, with their XML (newest last; in memory only, see delivery-inbox.ts). */
  readonly deliveries: readonly ReceivedDelivery[];
  /** Resolves when no callback delivery is in flight. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

class Answer {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {}
}

const business = (code: string, message: string, status = 422) => new Answer(status, { code, message });
const now = () => new Date().toISOString();
const hex = (n: number) => randomBytes(n).toString('hex');
const cents = (amount: string) => Math.round(Number(amount) * 100);
const euros = (c: number) => (c / 100).toFixed(2);

function validIban(iban: string): boolean {
  const s = iban.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(s)) return false;
  const rearranged = s.slice(4) + s.slice(0, 4);
  let rest = 0;
  for (const ch of rearranged) {
    const v = ch >= 'A' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of v) rest = (rest * 10 + Number(d)) % 97;
  }
  return rest === 1;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates a submission's payload per kind: undefined when fine, else the rejection. */
function checkSubmission(kind: string, payload: unknown): Answer | undefined {
  switch (kind) {
    case SUBMISSION_KINDS.wohngeldPaymentInstruction: {
      if (!isObject(payload)) return business('MALFORMED_PAYLOAD', 'payload must be an object');
      if (typeof payload.iban !== 'string' || !validIban(payload.iban)) return business('INVALID_IBAN', 'The IBAN is not valid.');
      const amount = Number(payload.monthlyAmount);
      if (!Number.isFinite(amount) || amount <= 0) return business('INVALID_AMOUNT', 'monthlyAmount must be a positive amount in euros.');
      const from = payload.approvalFrom;
      const to = payload.approvalTo;
      if (from !== undefined || to !== undefined) {
        if (typeof from !== 'string' || typeof to !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to) || from > to) {
          return business('INVALID_PERIOD', 'approvalFrom and approvalTo must be dates (YYYY-MM-DD), from before to.');
        }
      }
      return undefined;
    }
    case SUBMISSION_KINDS.gewerberegisterRegistration: {
      if (!isObject(payload) || !isObject(payload.business) || typeof payload.business.name !== 'string' || !payload.business.name.trim()) {
        return business('MALFORMED_PAYLOAD', 'payload.business.name is required');
      }
      const wz = payload.business.wzCode;
      if (wz !== undefined && (typeof wz !== 'string' || !/^\d{2}(\.?\d){0,3}$/.test(wz))) return business('INVALID_WZ_CODE', 'The WZ 2008 code is not valid.');
      return undefined;
    }
    case SUBMISSION_KINDS.gewo14Delivery: {
      if (!isObject(payload) || typeof payload.recipient !== 'string' || !/^[a-z0-9][a-z0-9-]{0,39}$/.test(payload.recipient)) {
        return business('UNKNOWN_RECIPIENT', 'payload.recipient must name a § 14 recipient, e.g. "ihk"');
      }
      if (typeof payload.message !== 'string' || !payload.message.trimStart().startsWith('<')) return business('INVALID_MESSAGE', 'payload.message must be an XML document');
      return undefined;
    }
    case SUBMISSION_KINDS.bewohnerparkausweis: {
      if (!isObject(payload) || !isObject(payload.holder) || typeof payload.holder.familyName !== 'string' || !isObject(payload.holder.address)) {
        return business('MALFORMED_PAYLOAD', 'payload.holder with familyName and address is required');
      }
      if (typeof payload.zone !== 'string' || !/^Zone \d{1,3}[a-z]?$/.test(payload.zone)) return business('INVALID_ZONE', 'payload.zone must name a parking zone, e.g. "Zone 31".');
      if (typeof payload.licensePlate !== 'string' || !/^[A-ZÄÖÜ]{1,3}-[A-Z]{1,2} [1-9]\d{0,3}[EH]?$/.test(payload.licensePlate)) {
        return business('INVALID_LICENSE_PLATE', 'payload.licensePlate must be a German registration number such as "B-AB 1234".');
      }
      const { validFrom, validUntil } = payload;
      if (typeof validFrom !== 'string' || typeof validUntil !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(validFrom) || !/^\d{4}-\d{2}-\d{2}$/.test(validUntil) || validFrom >= validUntil) {
        return business('INVALID_PERIOD', 'validFrom and validUntil must be dates (YYYY-MM-DD), from before until.');
      }
      return undefined;
    }
    case SUBMISSION_KINDS.contractProbe:
      return undefined;
    default:
      return business('UNKNOWN_KIND', `This Fachverfahren does not accept submissions of kind "${kind}".`);
  }
}

function externalIdFor(kind: string): string {
  const year = new Date().getFullYear();
  switch (kind) {
    case SUBMISSION_KINDS.wohngeldPaymentInstruction:
      return `ZA-${year}-${hex(5).toUpperCase()}`;
    case SUBMISSION_KINDS.gewerberegisterRegistration:
      return `GR-${year}-${hex(5).toUpperCase()}`;
    case SUBMISSION_KINDS.gewo14Delivery:
      return `MSG-${hex(8)}`;
    case SUBMISSION_KINDS.bewohnerparkausweis:
      return `BPA-${year}-${hex(4).toUpperCase()}`;
    default:
      return `SB-${hex(8)}`;
  }
}

async function readBody(req: IncomingMessage, limit = 1_000_000): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Answer(413, { code: 'TOO_LARGE', message: 'request body too large' });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Starts the simulator; resolves once it listens. */
export async function startSandbox(opts: SandboxOptions = {}): Promise<RunningSandbox> {
  const host = opts.host ?? '127.0.0.1';
  const [minDelay, maxDelay] = opts.delayMs ?? [20, 200];
  const completionDelayMs = opts.completionDelayMs ?? 1_000;
  const callbackAttempts = opts.callbackAttempts ?? 6;
  const log = opts.log ?? (() => undefined);

  let state: State = { submissions: {}, payments: {}, refunds: {}, idempotency: {} };
  if (opts.stateFile && existsSync(opts.stateFile)) {
    try {
      state = { ...state, ...(JSON.parse(readFileSync(opts.stateFile, 'utf8')) as Partial<State>) };
    } catch {
      log(`state file ${opts.stateFile} unreadable; starting empty`);
    }
  }
  let saveTimer: NodeJS.Timeout | undefined;
  const save = (): void => {
    if (!opts.stateFile || saveTimer) return;
    saveTimer = setTimeout(() => {
      saveTimer = undefined;
      try {
        mkdirSync(dirname(opts.stateFile!), { recursive: true });
        writeFileSync(`${opts.stateFile}.tmp`, JSON.stringify(state));
        renameSync(`${opts.stateFile}.tmp`, opts.stateFile!);
      } catch (e) {
        log(`saving state failed: ${(e as Error).message}`);
      }
    }, 100);
  };

  const rules = new Map<string, FaultRule>();
  const attempts = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const inflight = new Set<Promise<void>>();
  const callbacks: SentCallback[] = [];
  const inbox = new DeliveryInbox();
  let stopped = false;
  let publicUrl = opts.publicUrl;

  const stopping = new AbortController();
  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!stopped) fn();
    }, ms);
    timers.add(t);
  };
  /** Resolves after ms, or at once when the sandbox stops (so nothing waits forever). */
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (stopped) return resolve();
      const onStop = () => resolve();
      const t = setTimeout(() => {
        timers.delete(t);
        stopping.signal.removeEventListener('abort', onStop);
        resolve();
      }, ms);
      timers.add(t);
      stopping.signal.addEventListener('abort', onStop, { once: true });
    });
  const latency = () => (maxDelay > 0 ? sleep(minDelay + Math.floor(Math.random() * (maxDelay - minDelay + 1))) : Promise.resolve());
  const secretOf = (adapter: string): string | undefined => opts.secrets?.[adapter] ?? opts.defaultSecret;

  // --- callbacks to amtsweg ------------------------------------------------------------------
  const sendCallback = (adapter: string, event: string, fields: { externalId?: string; caseId?: string; step?: string; data?: Record<string, unknown> }): void => {
    const secret = secretOf(adapter);
    if (!opts.callbackUrl || !secret) return;
    const record: SentCallback = { callbackId: randomUUID(), adapter, event, ...fields, outcome: 'pending', attempts: 0 };
    delete (record as { data?: unknown }).data;
    callbacks.push(record);
    if (callbacks.length > 1000) callbacks.shift();
    const raw = JSON.stringify({ callbackId: record.callbackId, event, ...fields, occurredAt: now(), simulator: true });
    const url = `${opts.callbackUrl.replace(/\/+$/, '')}/api/v1/integrations/${encodeURIComponent(adapter)}/callbacks`;
    const run = (async () => {
      for (let attempt = 1; attempt <= callbackAttempts && !stopped; attempt++) {
        record.attempts = attempt;
        try {
          // Signed afresh per attempt (a new timestamp); the callbackId stays, so amtsweg sees one event.
          const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...signMessage(secret, raw) }, body: raw, signal: AbortSignal.any([AbortSignal.timeout(10_000), stopping.signal]) });
          await res.arrayBuffer();
          record.httpStatus = res.status;
          if (res.ok) {
            record.outcome = 'delivered';
            log(`callback ${event} for ${adapter} delivered (${res.status})`);
            return;
          }
          if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
            record.outcome = 'rejected';
            log(`callback ${event} for ${adapter} rejected by amtsweg (${res.status}); not retried`);
            return;
          }
        } catch (e) {
          log(`callback ${event} for ${adapter}: ${(e as Error).message}`);
        }
        if (attempt < callbackAttempts) await sleep(250 * 2 ** (attempt - 1));
      }
      if (record.outcome === 'pending') record.outcome = 'failed';
    })();
    inflight.add(run);
    void run.finally(() => inflight.delete(run));
  };

  // --- submissions -----------------------------------------------------------------------------
  const subKey = (adapter: string, id: string) => `${adapter}/${id}`;
  const complete = (s: Submission): void => {
    if (s.status !== 'accepted' && s.status !== 'processing') return;
    s.status = 'completed';
    s.updatedAt = now();
    if (s.kind === SUBMISSION_KINDS.wohngeldPaymentInstruction) {
      s.result = { kassenzeichen: `KZ-${hex(4).toUpperCase()}`, firstPaymentOn: new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10) };
    }
    save();
    sendCallback(s.adapter, 'submission.completed', { externalId: s.externalId, caseId: s.caseId, step: s.step, data: { kind: s.kind, ...(s.result && { result: s.result }) } });
  };

  const createSubmission = (adapter: string, body: { caseId: string; step: string; kind: string; payload: unknown }): Answer => {
    const rejected = checkSubmission(body.kind, body.payload);
    if (rejected) return rejected;
    const t = now();
    const s: Submission = { externalId: externalIdFor(body.kind), adapter, caseId: body.caseId, step: body.step, kind: body.kind, status: 'accepted', createdAt: t, updatedAt: t };
    switch (body.kind) {
      case SUBMISSION_KINDS.gewerberegisterRegistration:
        // The register entry is made at once.
        s.status = 'completed';
        s.result = { registerNumber: s.externalId, registeredAt: t };
        break;
      case SUBMISSION_KINDS.gewo14Delivery: {
        const p = body.payload as { recipient: string; message: string; messageId?: unknown };
        s.status = 'completed';
        s.result = { recipient: p.recipient, deliveredAt: t };
        inbox.add({ adapter, caseId: body.caseId, step: body.step, recipient: p.recipient, ...(typeof p.messageId === 'string' && { messageId: p.messageId }), message: p.message, externalId: s.externalId, receivedAt: t });
        break;
      }
      case SUBMISSION_KINDS.bewohnerparkausweis: {
        // The permit register issues the permit at once.
        const p = body.payload as { zone: string; validFrom: string; validUntil: string };
        s.status = 'completed';
        s.result = { permitNumber: s.externalId, zone: p.zone, validFrom: p.validFrom, validUntil: p.validUntil };
        break;
      }
      case SUBMISSION_KINDS.wohngeldPaymentInstruction:
        // Booked by the Fachverfahren a little later; the callback tells amtsweg.
        later(completionDelayMs, () => complete(s));
        break;
      default:
        break; // contract probes stay accepted (and cancellable)
    }
    state.submissions[subKey(adapter, s.externalId)] = s;
    save();
    return new Answer(201, { externalId: s.externalId, status: s.status, ...(s.result && { result: s.result }) });
  };

  const submissionView = (s: Submission) => ({ externalId: s.externalId, status: s.status, ...(s.result && { result: s.result }), updatedAt: s.updatedAt });

  // --- payments --------------------------------------------------------------------------------
  const createPayment = (adapter: string, body: Record<string, unknown>): Answer => {
    const amount = body.amount;
    if (typeof amount !== 'string' || !AMOUNT.test(amount) || cents(amount) <= 0) return business('INVALID_AMOUNT', 'amount must be a positive euro amount with two decimals');
    if (body.currency !== undefined && body.currency !== 'EUR') return business('UNSUPPORTED_CURRENCY', 'only EUR is accepted');
    if (typeof body.returnUrl !== 'string' || !URL.canParse(body.returnUrl)) return business('INVALID_RETURN_URL', 'returnUrl must be an absolute URL');
    if (typeof body.purpose !== 'string' || !body.purpose.trim() || body.purpose.length > 140) return business('INVALID_PURPOSE', 'purpose must be 1 to 140 characters');
    const p: Payment = {
      paymentId: `pay_${hex(10)}`,
      adapter,
      caseId: String(body.caseId),
      step: String(body.step),
      amount,
      purpose: body.purpose,
      returnUrl: body.returnUrl,
      status: 'created',
      refundedCents: 0,
      createdAt: now(),
    };
    state.payments[p.paymentId] = p;
    save();
    return new Answer(201, { paymentId: p.paymentId, redirectUrl: `${publicUrl}/pay/${p.paymentId}`, status: p.status });
  };

  const paymentView = (p: Payment) => ({
    paymentId: p.paymentId,
    status: p.status,
    amount: p.amount,
    ...(p.paidAt && { paidAt: p.paidAt }),
    ...(p.refundedCents > 0 && { refunded: euros(p.refundedCents) }),
  });

  const createRefund = (p: Payment, body: Record<string, unknown>): Answer => {
    if (p.status !== 'paid' && p.status !== 'refunded') return business('NOT_PAID', 'Only paid payments can be refunded.');
    const remaining = cents(p.amount) - p.refundedCents;
    if (remaining <= 0) return business('ALREADY_REFUNDED', 'The payment has been refunded in full.');
    const amount = body.amount === undefined ? euros(remaining) : body.amount;
    if (typeof amount !== 'string' || !AMOUNT.test(amount) || cents(amount) <= 0) return business('INVALID_AMOUNT', 'amount must be a positive euro amount with two decimals');
    if (cents(amount) > remaining) return business('AMOUNT_EXCEEDS_PAYMENT', 'The refund exceeds what is left of the payment.');
    const r: Refund = { refundId: `re_${hex(10)}`, paymentId: p.paymentId, amount, status: 'refunded', createdAt: now() };
    p.refundedCents += cents(amount);
    if (p.refundedCents >= cents(p.amount)) p.status = 'refunded';
    state.refunds[r.refundId] = r;
    save();
    sendCallback(p.adapter, 'payment.refunded', { externalId: p.paymentId, caseId: p.caseId, step: p.step, data: { refundId: r.refundId, amount } });
    return new Answer(201, { refundId: r.refundId, paymentId: p.paymentId, status: r.status, amount });
  };

  const settle = (p: Payment, outcome: 'paid' | 'failed'): void => {
    if (p.status !== 'created') return; // a second press changes nothing (and sends no second callback)
    p.status = outcome;
    if (outcome === 'paid') p.paidAt = now();
    save();
    sendCallback(p.adapter, outcome === 'paid' ? 'payment.paid' : 'payment.failed', {
      externalId: p.paymentId,
      caseId: p.caseId,
      step: p.step,
      data: { amount: p.amount, ...(p.paidAt && { paidAt: p.paidAt }) },
    });
  };

  // --- request plumbing ------------------------------------------------------------------------
  /** Idempotent execution: the same key replays the first success; another body under it is refused. */
  const idempotent = (scope: string, key: string | undefined, body: unknown, run: () => Answer): Answer => {
    if (!key) return business('IDEMPOTENCY_KEY_MISSING', 'The Idempotency-Key header is required.', 400);
    const hash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    const id = `${scope}|${key}`;
    const stored = state.idempotency[id];
    if (stored) {
      if (stored.hash !== hash) return business('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request.');
      return new Answer(stored.status === 201 ? 200 : stored.status, stored.body, { 'Idempotent-Replayed': 'true' });
    }
    const answer = run();
    // Only successes are kept: a rejection depends on the state (NOT_PAID) and is decided afresh.
    if (answer.status < 300) {
      state.idempotency[id] = { hash, status: answer.status, body: answer.body };
      save();
    }
    return answer;
  };

  /** Decides the injected fault for this request (header first, then standing rules). */
  const faultFor = (req: IncomingMessage, facts: RequestFacts, key: string): FaultSpec | undefined => {
    const header = req.headers['x-sandbox-fail'];
    let spec: string | undefined = typeof header === 'string' ? header : undefined;
    let ruleId = 'header';
    if (!spec) {
      for (const [id, rule] of rules) {
        if (ruleMatches(rule, facts)) {
          spec = rule.fail;
          ruleId = id;
          break;
        }
      }
    }
    const fault = parseFault(spec);
    if (!fault) return undefined;
    if ((fault.mode === 'technical' || fault.mode === 'timeout') && fault.times !== undefined) {
      const counter = `${ruleId}|${facts.adapter}|${facts.operation}|${key}|${spec}`;
      const n = (attempts.get(counter) ?? 0) + 1;
      attempts.set(counter, n);
      if (n > fault.times) return undefined;
    }
    return fault;
  };

  const pendingTimeouts = new Set<ServerResponse>();

  const respond = (res: ServerResponse, a: Answer): void => {
    if (res.headersSent || res.destroyed) return;
    const body = JSON.stringify({ ...a.body, simulator: true });
    res.writeHead(a.status, { 'Content-Type': 'application/json; charset=utf-8', 'X-Simulator': 'amtsweg-sandbox', 'Cache-Control': 'no-store', ...a.headers });
    res.end(body);
  };

  const verified = (adapter: string, req: IncomingMessage, raw: Buffer): Answer | undefined => {
    const secret = secretOf(adapter);
    if (!secret) return undefined;
    const { timestamp, signature } = signatureHeadersOf(req.headers);
    const check = verifySignature({ secrets: [secret], rawBody: raw, timestamp, signature });
    return check.ok ? undefined : new Answer(401, { code: 'UNAUTHENTICATED', message: `request signature rejected: ${check.reason}` });
  };

  const parseJson = (raw: Buffer): Record<string, unknown> => {
    try {
      const v: unknown = JSON.parse(raw.toString('utf8') || 'null');
      if (isObject(v)) return v;
    } catch {
      // fall through
    }
    throw new Answer(400, { code: 'MALFORMED', message: 'the body must be a JSON object' });
  };

  const requireRef = (body: Record<string, unknown>): { caseId: string; step: string } => {
    if (typeof body.caseId !== 'string' || !body.caseId || typeof body.step !== 'string' || !body.step) {
      throw new Answer(400, { code: 'MALFORMED', message: 'caseId and step are required' });
    }
    return { caseId: body.caseId, step: body.step };
  };

  /** The /fv/{adapter}/… protocol. */
  const handleFv = async (req: IncomingMessage, res: ServerResponse, adapter: string, rest: string, raw: Buffer): Promise<Answer | 'held'> => {
    const method = req.method ?? 'GET';
    if (method === 'GET' && rest === '/health') return new Answer(200, { status: 'ok', adapter });

    const bad = verified(adapter, req, raw);
    if (bad) return bad;
    await latency();

    const key = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : undefined;
    let m: RegExpExecArray | null;
    let facts: RequestFacts;
    let run: () => Answer;

    if (method === 'POST' && rest === '/submissions') {
      const body = parseJson(raw);
      const ref = requireRef(body);
      const kind = typeof body.kind === 'string' ? body.kind : '';
      const recipient = isObject(body.payload) && typeof body.payload.recipient === 'string' ? body.payload.recipient : undefined;
      facts = { adapter, operation: 'submit', kind, step: ref.step, ...(recipient && { recipient }) };
      run = () => idempotent(`${adapter}|submit`, key, body, () => createSubmission(adapter, { ...ref, kind, payload: body.payload }));
    } else if (method === 'GET' && (m = /^\/submissions\/([^/]+)$/.exec(rest))) {
      const id = decodeURIComponent(m[1]!);
      facts = { adapter, operation: 'status' };
      run = () => {
        const s = state.submissions[subKey(adapter, id)];
        return s ? new Answer(200, submissionView(s)) : business('NOT_FOUND', 'No such submission.', 404);
      };
    } else if (method === 'POST' && (m = /^\/submissions\/([^/]+)\/cancel$/.exec(rest))) {
      const id = decodeURIComponent(m[1]!);
      const body = parseJson(raw);
      facts = { adapter, operation: 'cancel', ...(typeof body.step === 'string' && { step: body.step }) };
      run = () => {
        const s = state.submissions[subKey(adapter, id)];
        if (!s) return business('NOT_FOUND', 'No such submission.', 404);
        if (s.status === 'cancelled') return new Answer(200, { externalId: s.externalId, status: 'cancelled' });
        if (s.status !== 'accepted' && s.status !== 'processing') return business('NOT_CANCELLABLE', `A ${s.status} submission cannot be cancelled.`, 409);
        s.status = 'cancelled';
        s.updatedAt = now();
        save();
        return new Answer(200, { externalId: s.externalId, status: 'cancelled' });
      };
    } else if (method === 'POST' && rest === '/payments') {
      const body = parseJson(raw);
      const ref = requireRef(body);
      facts = { adapter, operation: 'payment', step: ref.step };
      run = () => idempotent(`${adapter}|payment`, key, body, () => createPayment(adapter, body));
    } else if (method === 'GET' && (m = /^\/payments\/([^/]+)$/.exec(rest))) {
      const id = decodeURIComponent(m[1]!);
      facts = { adapter, operation: 'payment-status' };
      run = () => {
        const p = state.payments[id];
        return p && p.adapter === adapter ? new Answer(200, paymentView(p)) : business('NOT_FOUND', 'No such payment.', 404);
      };
    } else if (method === 'POST' && (m = /^\/payments\/([^/]+)\/refunds$/.exec(rest))) {
      const id = decodeURIComponent(m[1]!);
      const body = parseJson(raw);
      const ref = requireRef(body);
      facts = { adapter, operation: 'refund', step: ref.step };
      run = () => {
        const p = state.payments[id];
        if (!p || p.adapter !== adapter) return business('NOT_FOUND', 'No such payment.', 404);
        return idempotent(`${adapter}|refund`, key, { ...body, paymentId: id }, () => createRefund(p, body));
      };
    } else {
      return new Answer(404, { code: 'NOT_FOUND', message: `no route ${method} /fv/${adapter}${rest}` });
    }

    let fault: FaultSpec | undefined;
    try {
      fault = faultFor(req, facts, key ?? rest);
    } catch (e) {
      return new Answer(400, { code: 'BAD_FAULT_SPEC', message: (e as Error).message });
    }
    if (fault?.mode === 'technical') return new Answer(503, { code: 'UNAVAILABLE', message: 'simulated outage' }, { 'Retry-After': '1' });
    if (fault?.mode === 'business') return business(fault.code, `simulated rejection ${fault.code}`);
    if (fault?.mode === 'slow') await sleep(fault.ms);
    if (fault?.mode === 'timeout') {
      // Never answer in time: hold the request until the caller gives up (or 60 s pass).
      pendingTimeouts.add(res);
      res.on('close', () => pendingTimeouts.delete(res));
      later(60_000, () => respond(res, new Answer(504, { code: 'TIMEOUT', message: 'simulated timeout' })));
      return 'held';
    }
    return run();
  };

  const handlePay = async (req: IncomingMessage, res: ServerResponse, paymentId: string, raw: Buffer): Promise<Answer | 'sent'> => {
    const p = state.payments[paymentId];
    const wantsHtml = (req.headers.accept ?? '').includes('text/html') || (req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded');
    if (!p) return business('NOT_FOUND', 'No such payment.', 404);
    if (req.method === 'GET') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'X-Simulator': 'amtsweg-sandbox', 'Cache-Control': 'no-store' });
      res.end(payPage(p));
      return 'sent';
    }
    const ct = req.headers['content-type'] ?? '';
    const outcome = ct.includes('application/json') ? parseJson(raw).outcome : new URLSearchParams(raw.toString('utf8')).get('outcome');
    if (outcome !== 'paid' && outcome !== 'failed') return new Answer(400, { code: 'MALFORMED', message: 'outcome must be paid or failed' });
    await latency();
    settle(p, outcome);
    if (wantsHtml) {
      const back = new URL(p.returnUrl);
      back.searchParams.set('paymentId', p.paymentId);
      back.searchParams.set('status', p.status);
      res.writeHead(303, { Location: back.toString(), 'X-Simulator': 'amtsweg-sandbox' });
      res.end();
      return 'sent';
    }
    return new Answer(200, paymentView(p));
  };

  const handleControl = (method: string, rest: string, raw: Buffer): Answer => {
    let m: RegExpExecArray | null;
    if (method === 'GET' && rest === '/state') {
      return new Answer(200, { submissions: Object.values(state.submissions), payments: Object.values(state.payments), refunds: Object.values(state.refunds), callbacks, faults: Object.fromEntries(rules) });
    }
    if (method === 'POST' && rest === '/faults') {
      const rule = parseJson(raw) as unknown as FaultRule;
      try {
        parseFault(rule.fail);
      } catch (e) {
        return new Answer(400, { code: 'BAD_FAULT_SPEC', message: (e as Error).message });
      }
      const id = handle.addFault(rule);
      return new Answer(201, { id });
    }
    if (method === 'DELETE' && rest === '/faults') {
      handle.clearFaults();
      return new Answer(200, { cleared: true });
    }
    if (method === 'POST' && (m = /^\/submissions\/([^/]+)\/([^/]+)\/complete$/.exec(rest))) {
      const s = state.submissions[subKey(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!))];
      if (!s) return business('NOT_FOUND', 'No such submission.', 404);
      complete(s);
      return new Answer(200, submissionView(s));
    }
    if (method === 'POST' && rest === '/reset') {
      state = { submissions: {}, payments: {}, refunds: {}, idempotency: {} };
      rules.clear();
      attempts.clear();
      save();
      return new Answer(200, { reset: true });
    }
    return new Answer(404, { code: 'NOT_FOUND', message: 'unknown sandbox control route' });
  };

  const server: Server = createServer((req, res) => {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const method = req.method ?? 'GET';
    res.on('finish', () => log(`${method} ${url.pathname} ${res.statusCode} (${Date.now() - started} ms)`));
    void (async () => {
      try {
        const raw = await readBody(req);
        let m: RegExpExecArray | null;
        let out: Answer | 'held' | 'sent';
        if (url.pathname === '/' || url.pathname === '/health') {
          out = new Answer(200, { status: 'ok', name: 'amtsweg sandbox Fachverfahren', notice: 'SIMULATOR — not a real Fachverfahren or payment provider' });
        } else if ((m = /^\/fv\/([a-z][a-z0-9-]{0,39})(\/.*)$/.exec(url.pathname))) {
          out = await handleFv(req, res, m[1]!, m[2]!, raw);
        } else if ((m = /^\/pay\/([^/]+)$/.exec(url.pathname)) && (method === 'GET' || method === 'POST')) {
          out = await handlePay(req, res, decodeURIComponent(m[1]!), raw);
        } else if ((m = /^\/sandbox(\/.*)$/.exec(url.pathname))) {
          out = handleControl(method, m[1]!, raw);
        } else {
          out = new Answer(404, { code: 'NOT_FOUND', message: 'no such route' });
        }
        if (out instanceof Answer) respond(res, out);
      } catch (e) {
        respond(res, e instanceof Answer ? e : new Answer(500, { code: 'SANDBOX_ERROR', message: (e as Error).message }));
      }
    })();
  });
  server.keepAliveTimeout = 2_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  publicUrl ??= url;

  const handle: RunningSandbox = {
    url,
    port,
    callbacks,
    get deliveries() {
      return inbox.list;
    },
    addFault(rule) {
      parseFault(rule.fail);
      const id = `fault-${hex(4)}`;
      rules.set(id, rule);
      return id;
    },
    clearFaults() {
      rules.clear();
      attempts.clear();
    },
    completeSubmission(adapter, externalId) {
      const s = state.submissions[subKey(adapter, externalId)];
      if (!s) throw new Error(`no submission ${externalId} at ${adapter}`);
      complete(s);
    },
    async idle() {
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      stopping.abort();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const res of pendingTimeouts) res.destroy();
      if (saveTimer) {
        clearTimeout(saveTimer);
        saveTimer = undefined;
        if (opts.stateFile) {
          mkdirSync(dirname(opts.stateFile), { recursive: true });
          writeFileSync(opts.stateFile, JSON.stringify(state));
        }
      }
      await Promise.allSettled([...inflight]);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  // Payment instructions that were still being booked when the sandbox stopped complete after a restart.
  for (const s of Object.values(state.submissions)) {
    if (s.kind === SUBMISSION_KINDS.wohngeldPaymentInstruction && s.status === 'accepted') later(completionDelayMs, () => complete(s));
  }
  log(`SANDBOX FACHVERFAHREN SIMULATOR listening on ${url} — not a real Fachverfahren; callbacks ${opts.callbackUrl ? `to ${opts.callbackUrl}` : 'off'}`);
  return handle;
}

/** Re-exported for callers that configure fault rules without importing faults.ts. */
export type { FaultRule, Operation } from './faults';
