import { z } from 'zod';
import { AMOUNT, PAYMENT_STATUSES, SUBMISSION_STATUSES } from './adapter';
import type {
  AdapterHealth,
  AdapterKind,
  CancelRequest,
  CancelResult,
  FachverfahrenAdapter,
  PaymentAdapter,
  PaymentStart,
  PaymentStartRequest,
  PaymentState,
  RefundRequest,
  RefundResult,
  SubmissionAdapter,
  SubmissionReceipt,
  SubmissionRequest,
  SubmissionState,
} from './adapter';
import { signMessage } from './callback-signature';
import { AdapterBusinessError, AdapterTechnicalError, normaliseBusinessCode } from './errors';
import { assertCallRef, idempotencyKey } from './idempotency';

/**
 * The reference adapter: the "amtsweg Fachverfahren HTTP protocol v1", JSON over HTTP(S), spoken by
 * the sandbox (apps/sandbox) and by any Fachverfahren that offers it or sits behind a gateway
 * translating it. All paths are relative to the adapter's baseUrl:
 *
 *   GET  /health                                   → 2xx when the remote is up
 *   POST /submissions              {caseId, step, kind, payload}          → {externalId, status}
 *   GET  /submissions/{externalId}                                        → {externalId, status, result?, rejection?}
 *   POST /submissions/{externalId}/cancel   {caseId, step, reason?}       → {externalId, status: "cancelled"}
 *   POST /payments                 {caseId, step, amount, currency, purpose, returnUrl} → {paymentId, redirectUrl, status}
 *   GET  /payments/{paymentId}                                            → {paymentId, status, amount, paidAt?, refunded?}
 *   POST /payments/{paymentId}/refunds      {caseId, step, amount?, reason} → {refundId, paymentId, status, amount}
 *
 * Every request carries `Idempotency-Key` (state-changing ones: idempotencyKey(caseId, step)) and is
 * signed like a callback (X-Timestamp, X-Signature over timestamp + "." + body; GETs sign the empty
 * body), so the remote knows it is amtsweg. Answers: 2xx JSON; 4xx JSON `{code, message}` is a
 * business rejection (404 defaults to NOT_FOUND, 409 to CONFLICT); 401/403, 408, 425, 429, 5xx,
 * timeouts, refused connections and unreadable answers are technical faults.
 */
export interface HttpAdapterConfig {
  name: string;
  kind: AdapterKind;
  /** e.g. http://localhost:4010/fv/wohngeld (no trailing slash needed). */
  baseUrl: string;
  /** Shared HMAC secret (signs our requests, verifies the remote's callbacks). */
  secret: string;
  /** Per request, including reading the answer. Default 10 s. */
  timeoutMs?: number;
  /** For health(); default min(timeoutMs, 3 s). */
  healthTimeoutMs?: number;
  /** Extra headers on every request (API gateways' keys; the sandbox's X-Sandbox-Fail in tests). */
  headers?: Record<string, string>;
  /** Replaces global fetch (tests). */
  fetch?: typeof fetch;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const USER_AGENT = 'amtsweg-fachverfahren-http/1';

interface CallOptions {
  method: 'GET' | 'POST';
  path: string;
  /** The path with ids replaced, for messages: `/submissions/{id}`. */
  label?: string;
  body?: unknown;
  idempotencyKey?: string;
  timeoutMs?: number;
}

/** Retry-After as milliseconds (seconds or an HTTP date); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function isTimeout(e: unknown): boolean {
  const name = (e as { name?: unknown })?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

/** The transport shared by both capabilities: signing, timeouts, error mapping, last error. */
class HttpTransport {
  private lastError: { message: string; at: string } | undefined;
  private readonly base: string;
  private readonly doFetch: typeof fetch;

  constructor(readonly cfg: HttpAdapterConfig) {
    this.base = cfg.baseUrl.replace(/\/+$/, '');
    this.doFetch = cfg.fetch ?? fetch;
    if (!cfg.secret) throw new TypeError(`adapter ${cfg.name}: secret is required`);
  }

  async call<T>(opts: CallOptions, schema: z.ZodType<T>): Promise<T> {
    try {
      const result = await this.send(opts, schema);
      this.lastError = undefined;
      return result;
    } catch (e) {
      if (e instanceof AdapterTechnicalError) this.lastError = { message: e.message, at: new Date().toISOString() };
      throw e;
    }
  }

  private async send<T>(opts: CallOptions, schema: z.ZodType<T>): Promise<T> {
    const what = `${this.cfg.name}: ${opts.method} ${opts.label ?? opts.path}`;
    const raw = opts.body === undefined ? '' : JSON.stringify(opts.body);
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'User-Agent': USER_AGENT,
      ...this.cfg.headers,
      ...signMessage(this.cfg.secret, raw),
      ...(opts.body !== undefined && { 'Content-Type': 'application/json' }),
      ...(opts.idempotencyKey && { 'Idempotency-Key': opts.idempotencyKey }),
    };
    const signal = AbortSignal.timeout(opts.timeoutMs ?? this.cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS);

    let res: Response;
    let text: string;
    try {
      res = await this.doFetch(`${this.base}${opts.path}`, { method: opts.method, headers, ...(opts.body !== undefined && { body: raw }), signal, redirect: 'error' });
      text = await res.text();
    } catch (e) {
      if (isTimeout(e)) throw new AdapterTechnicalError(`${what} timed out`, { reason: 'TIMEOUT', cause: e });
      const code = (e as { cause?: { code?: unknown } })?.cause?.code;
      throw new AdapterTechnicalError(`${what} failed: ${typeof code === 'string' ? code : 'network error'}`, { reason: 'NETWORK', cause: e });
    }

    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }

    const status = res.status;
    if (status >= 200 && status < 300) {
      const parsed = schema.safeParse(json);
      if (!parsed.success) throw new AdapterTechnicalError(`${what} answered ${status} with an unexpected body`, { status, reason: 'PROTOCOL' });
      return parsed.data;
    }
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
    const technical = (reason: NonNullable<ConstructorParameters<typeof AdapterTechnicalError>[1]>['reason']) =>
      new AdapterTechnicalError(`${what} answered ${status}`, { status, reason, ...(retryAfterMs !== undefined && { retryAfterMs }) });
    if (status === 401 || status === 403) throw technical('AUTH');
    if (status === 429) throw technical('RATE_LIMITED');
    if (status === 408 || status === 425 || status >= 500) throw technical('HTTP_5XX');
    if (status >= 400) {
      const body = (json ?? {}) as { code?: unknown; message?: unknown; details?: unknown };
      const fallback = status === 404 ? 'NOT_FOUND' : status === 409 ? 'CONFLICT' : `HTTP_${status}`;
      const code = normaliseBusinessCode(body.code, fallback);
      const message = typeof body.message === 'string' && body.message ? body.message : `${what} was rejected (${status})`;
      const details = body.details && typeof body.details === 'object' && !Array.isArray(body.details) ? (body.details as Record<string, unknown>) : undefined;
      throw new AdapterBusinessError(code, message, details);
    }
    throw technical('PROTOCOL'); // 1xx/3xx: not part of the protocol
  }

  async health(): Promise<AdapterHealth> {
    const timeoutMs = this.cfg.healthTimeoutMs ?? Math.min(this.cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS, 3_000);
    try {
      await this.send({ method: 'GET', path: '/health', timeoutMs }, z.unknown());
      return { healthy: true, ...(this.lastError && { lastError: `${this.lastError.message} (${this.lastError.at})` }) };
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.lastError = { message, at: new Date().toISOString() };
      return { healthy: false, lastError: message };
    }
  }
}

const enc = encodeURIComponent;

const receiptSchema = z.object({ externalId: z.string().min(1).max(200), status: z.enum(SUBMISSION_STATUSES as [string, ...string[]]) });
const stateSchema = receiptSchema.extend({
  result: z.record(z.string(), z.unknown()).optional(),
  rejection: z.object({ code: z.string(), message: z.string() }).optional(),
  updatedAt: z.string().optional(),
});
const cancelSchema = z.object({ externalId: z.string().min(1), status: z.literal('cancelled') });
const paymentStatus = z.enum(PAYMENT_STATUSES as [string, ...string[]]);
const paymentStartSchema = z.object({ paymentId: z.string().min(1).max(200), redirectUrl: z.string().url(), status: paymentStatus });
const paymentStateSchema = z.object({
  paymentId: z.string().min(1),
  status: paymentStatus,
  amount: z.string().regex(AMOUNT),
  paidAt: z.string().optional(),
  refunded: z.string().regex(AMOUNT).optional(),
});
const refundSchema = z.object({ refundId: z.string().min(1), paymentId: z.string().min(1), status: z.enum(['refunded', 'pending']), amount: z.string().regex(AMOUNT) });

export class HttpSubmissionAdapter implements SubmissionAdapter {
  readonly kind = 'submission' as const;
  readonly name: string;
  private readonly http: HttpTransport;

  constructor(cfg: Omit<HttpAdapterConfig, 'kind'>) {
    this.name = cfg.name;
    this.http = new HttpTransport({ ...cfg, kind: 'submission' });
  }

  health(): Promise<AdapterHealth> {
    return this.http.health();
  }

  async submit(req: SubmissionRequest): Promise<SubmissionReceipt> {
    assertCallRef(req);
    const r = await this.http.call(
      { method: 'POST', path: '/submissions', body: { caseId: req.caseId, step: req.step, kind: req.kind, payload: req.payload }, idempotencyKey: idempotencyKey(req.caseId, req.step) },
      receiptSchema,
    );
    return { externalId: r.externalId, status: r.status as SubmissionReceipt['status'] };
  }

  async status(externalId: string): Promise<SubmissionState> {
    const r = await this.http.call({ method: 'GET', path: `/submissions/${enc(externalId)}`, label: '/submissions/{id}' }, stateSchema);
    return r as SubmissionState;
  }

  async cancel(req: CancelRequest): Promise<CancelResult> {
    assertCallRef(req);
    return this.http.call(
      {
        method: 'POST',
        path: `/submissions/${enc(req.externalId)}/cancel`,
        label: '/submissions/{id}/cancel',
        body: { caseId: req.caseId, step: req.step, ...(req.reason !== undefined && { reason: req.reason }) },
        idempotencyKey: idempotencyKey(req.caseId, `${req.step}:cancel`),
      },
      cancelSchema,
    );
  }
}

export class HttpPaymentAdapter implements PaymentAdapter {
  readonly kind = 'payment' as const;
  readonly name: string;
  private readonly http: HttpTransport;

  constructor(cfg: Omit<HttpAdapterConfig, 'kind'>) {
    this.name = cfg.name;
    this.http = new HttpTransport({ ...cfg, kind: 'payment' });
  }

  health(): Promise<AdapterHealth> {
    return this.http.health();
  }

  async startPayment(req: PaymentStartRequest): Promise<PaymentStart> {
    assertCallRef(req);
    if (!AMOUNT.test(req.amount)) throw new TypeError('amount must be euros with two decimals, e.g. "15.00"');
    const r = await this.http.call(
      {
        method: 'POST',
        path: '/payments',
        body: { caseId: req.caseId, step: req.step, amount: req.amount, currency: 'EUR', purpose: req.purpose, returnUrl: req.returnUrl },
        idempotencyKey: idempotencyKey(req.caseId, req.step),
      },
      paymentStartSchema,
    );
    return r as PaymentStart;
  }

  async status(paymentId: string): Promise<PaymentState> {
    const r = await this.http.call({ method: 'GET', path: `/payments/${enc(paymentId)}`, label: '/payments/{id}' }, paymentStateSchema);
    return r as PaymentState;
  }

  async refund(req: RefundRequest): Promise<RefundResult> {
    assertCallRef(req);
    if (req.amount !== undefined && !AMOUNT.test(req.amount)) throw new TypeError('amount must be euros with two decimals, e.g. "15.00"');
    return this.http.call(
      {
        method: 'POST',
        path: `/payments/${enc(req.paymentId)}/refunds`,
        label: '/payments/{id}/refunds',
        body: { caseId: req.caseId, step: req.step, reason: req.reason, ...(req.amount !== undefined && { amount: req.amount }) },
        idempotencyKey: idempotencyKey(req.caseId, req.step),
      },
      refundSchema,
    );
  }
}

/** The reference adapter for a configuration entry of type "http". */
export function createHttpAdapter(cfg: HttpAdapterConfig): FachverfahrenAdapter {
  return cfg.kind === 'payment' ? new HttpPaymentAdapter(cfg) : new HttpSubmissionAdapter(cfg);
}
