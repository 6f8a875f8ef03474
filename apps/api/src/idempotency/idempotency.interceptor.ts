import { Inject, Injectable, SetMetadata } from '@nestjs/common';
import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { from, mergeMap, throwError, catchError } from 'rxjs';
import type { Observable } from 'rxjs';
import type { AppConfig } from '../../../../libs/config/src/config';
import { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey } from '../../../../libs/db/src/idempotency';
import type { IdempotencyRequest, StoredResponse } from '../../../../libs/db/src/idempotency';
import { DomainError } from '../../../../libs/domain/src/errors';
import type { RequestWithPrincipal } from '../auth/decorators';
import { ApiProblem, problemType } from '../problem/problem';
import { fromTemporalError } from '../problem/temporal-errors';
import { toProblem } from '../problem/to-problem';
import { APP_CONFIG, PG_POOL, ROOT_LOGGER } from '../tokens';
import { requestHash, sha256Hex } from './request-hash';
import type { FileFingerprint } from './request-hash';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';
/** An in-flight key older than this counts as abandoned (its process died) and a retry may take it over. */
export const IDEMPOTENCY_IN_FLIGHT_LEASE_SECONDS = 120;
/** Methods whose requests honour Idempotency-Key (PUT and DELETE are idempotent by definition). */
const METHODS = new Set(['POST', 'PATCH']);
/** Response headers replayed with a stored response. */
const REPLAYED_HEADERS = ['location', 'content-location'];
/** Visible ASCII, 1..255 characters (a UUID is the usual choice). */
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Marks a route whose idempotency runs after its body is parsed (multipart uploads, see IdempotentUpload). */
export const IDEMPOTENCY_DEFERRED = 'amtsweg:idempotency-deferred';
export const DeferIdempotency = (): MethodDecorator => SetMetadata(IDEMPOTENCY_DEFERRED, true);

interface UploadedFileLike {
  fieldname: string;
  originalname: string;
  mimetype: string;
  size: number;
  buffer: Buffer;
}

type IdempotentRequest = Request & RequestWithPrincipal & { file?: UploadedFileLike; log?: Logger };

/**
 * Idempotency-Key for every POST/PATCH (API.md: "the same key with the same body returns the first
 * result, never a second case/booking"). Choices:
 *
 * - Scope: the caller and the route. Authenticated calls are keyed on a hash of the token's `sub`,
 *   public ones on a hash of the client IP (req.ip, honouring TRUST_PROXY); plus method and concrete
 *   path. Keys of different callers never meet; nothing personal is stored in clear.
 * - Sameness: SHA-256 of the canonical query + body (+ the uploaded file's digest, name and type).
 *   Same key, other request → 422 (`idempotency-key-reused`).
 * - Concurrency: the first request claims the key (one INSERT … ON CONFLICT); a duplicate arriving
 *   while it runs gets 409 (`idempotency-key-in-use`) with Retry-After. A claim not finished within
 *   IDEMPOTENCY_IN_FLIGHT_LEASE_SECONDS (its process died) may be taken over by the same request.
 * - What is stored: 2xx results, and 4xx problems that come from the domain or a workflow
 *   (DomainError / ApplicationFailure: 404, 409, 410, 422 business rules …) — replaying them is the
 *   truth. Not stored (the key is released, a retry runs afresh): edge validation errors (400/413/
 *   422 from pipes and parsers: fixing the body is not "the same request"), 401/403 from guards
 *   (they run before this interceptor anyway), 429, and every 5xx/503 (a retry may succeed).
 * - A replay answers with the stored status, body (byte-identical JSON) and Location, plus
 *   `Idempotent-Replayed: true`. Keys expire IDEMPOTENCY_KEY_TTL_HOURS (24 h) after first use.
 * - Without the header nothing happens: the key is optional.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  /** The global instance skips routes that run their own (deferred) instance after body parsing. */
  protected readonly honoursDeferral: boolean = true;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> | Promise<Observable<unknown>> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<IdempotentRequest>();
    if (!METHODS.has(req.method)) return next.handle();
    const header = req.headers[IDEMPOTENCY_KEY_HEADER];
    if (header === undefined) return next.handle();
    if (this.honoursDeferral && this.reflector.get<boolean>(IDEMPOTENCY_DEFERRED, context.getHandler())) return next.handle();
    return this.run(context, next, req, Array.isArray(header) ? header.join(',') : header);
  }

  private async run(context: ExecutionContext, next: CallHandler, req: IdempotentRequest, key: string): Promise<Observable<unknown>> {
    if (!KEY_PATTERN.test(key)) {
      throw new ApiProblem(400, 'The Idempotency-Key header must be 1 to 255 visible ASCII characters (a UUID, for example).', {
        type: problemType('malformed-request'),
        errors: [{ path: '', message: 'invalid Idempotency-Key header' }],
      });
    }
    const res = context.switchToHttp().getResponse<Response>();
    const log = req.log ?? this.logger;
    const path = (req.originalUrl ?? req.url).split('?')[0] ?? '/';
    const who = req.principal ? `sub:${sha256Hex(`sub\n${req.principal.sub}`)}` : `ip:${sha256Hex(`ip\n${req.ip ?? 'unknown'}`)}`;
    const scope: IdempotencyRequest = {
      principal: `${who} ${req.method} ${path}`.slice(0, 1000),
      key,
      method: req.method,
      path,
      requestHash: requestHash({ query: req.query, body: req.body, file: fingerprint(req.file) }),
    };
    const ttlSeconds = this.config.IDEMPOTENCY_KEY_TTL_HOURS * 3600;
    const claim = await claimIdempotencyKey(this.pool, scope, { ttlSeconds, inFlightLeaseSeconds: IDEMPOTENCY_IN_FLIGHT_LEASE_SECONDS });

    switch (claim.kind) {
      case 'mismatch':
        throw new ApiProblem(422, 'This Idempotency-Key was already used for a different request. Use a new key for a new request.', {
          type: problemType('idempotency-key-reused'),
          errors: [{ path: '', message: 'Idempotency-Key reused with a different request' }],
        });
      case 'in-flight':
        throw new ApiProblem(409, 'A request with this Idempotency-Key is still being processed. Please retry shortly.', {
          type: problemType('idempotency-key-in-use'),
          headers: { 'Retry-After': String(claim.retryAfterSeconds) },
        });
      case 'replay':
        return from([replay(claim.response, res)]);
      case 'claimed':
        break;
    }

    const { claimId } = claim;
    const release = async (): Promise<void> => {
      await releaseIdempotencyKey(this.pool, scope, claimId).catch((e: unknown) => log.warn({ reason: String(e) }, 'could not release an Idempotency-Key'));
    };
    const complete = async (response: StoredResponse): Promise<void> => {
      // The action has happened: a failure to record it must not turn into an error response (the
      // client would retry and, after the lease, run it twice). Try a few times, then log.
      for (let i = 0; i < 3; i++) {
        try {
          await completeIdempotencyKey(this.pool, scope, claimId, response);
          return;
        } catch (e) {
          if (i === 2) log.error({ reason: String(e) }, 'could not store the result of an Idempotency-Key');
          else await new Promise((r) => setTimeout(r, 100 * (i + 1)));
        }
      }
    };

    return next.handle().pipe(
      mergeMap(async (body: unknown) => {
        if (isJsonBody(body) && res.statusCode >= 200 && res.statusCode < 300) {
          await complete({ status: res.statusCode, headers: pickHeaders(res), body: body ?? null });
        } else {
          await release();
        }
        return body;
      }),
      catchError((err: unknown) =>
        from(
          (async () => {
            const stored = storableProblem(err);
            if (stored) await complete(stored);
            else await release();
          })(),
        ).pipe(mergeMap(() => throwError(() => err))),
      ),
    );
  }
}

/** The instance a deferred route runs itself, after its body was parsed (see IdempotentUpload). */
@Injectable()
export class DeferredIdempotencyInterceptor extends IdempotencyInterceptor {
  protected override readonly honoursDeferral = false;
}

function fingerprint(file: UploadedFileLike | undefined): FileFingerprint | undefined {
  if (!file?.buffer) return undefined;
  return { field: file.fieldname, name: file.originalname, mediaType: file.mimetype, size: file.size, sha256: sha256Hex(file.buffer) };
}

function isJsonBody(body: unknown): boolean {
  if (body === undefined || body === null) return true;
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) return false;
  if (typeof body === 'object' && typeof (body as { getStream?: unknown }).getStream === 'function') return false; // StreamableFile
  if (typeof body === 'object' && typeof (body as { pipe?: unknown }).pipe === 'function') return false; // a stream
  return true;
}

function pickHeaders(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const v = res.getHeader(name);
    if (typeof v === 'string') out[name] = v;
  }
  return out;
}

function replay(stored: StoredResponse, res: Response): unknown {
  if (stored.status >= 400) {
    const p = stored.body as { type?: string; title?: string; detail?: string; errors?: Array<{ path: string; message: string }>; code?: string; reason?: string } | null;
    throw new ApiProblem(stored.status, p?.detail ?? 'The first request with this Idempotency-Key failed.', {
      ...(p?.type && { type: p.type }),
      ...(p?.title && { title: p.title }),
      ...(p?.errors && { errors: p.errors }),
      ...(p?.code && { code: p.code }),
      ...(p?.reason && { reason: p.reason }),
      headers: { ...stored.headers, [IDEMPOTENT_REPLAYED_HEADER]: 'true' },
    });
  }
  res.status(stored.status);
  for (const [name, value] of Object.entries(stored.headers)) res.setHeader(name, value);
  res.setHeader(IDEMPOTENT_REPLAYED_HEADER, 'true');
  return stored.body === null ? undefined : stored.body;
}

/**
 * The problem to store for a failed first request, or undefined to release the key. Only business
 * outcomes (DomainError, or a workflow's ApplicationFailure with a domain code) with a 4xx status
 * other than 401/408/429 are final enough to replay.
 */
function storableProblem(err: unknown): StoredResponse | undefined {
  const domain = err instanceof DomainError ? err : fromTemporalError(err);
  if (!(domain instanceof DomainError)) return undefined;
  const { problem, headers } = toProblem(domain);
  if (problem.status < 400 || problem.status >= 500 || [401, 408, 429].includes(problem.status)) return undefined;
  return { status: problem.status, headers, body: problem };
}
