import { createHash } from 'node:crypto';
import { z } from 'zod';
import { signatureHeadersOf, verifySignature } from './callback-signature';
import type { SignatureFailure } from './callback-signature';
import { CASE_ID, STEP } from './idempotency';
import type { AdapterCallStore, ReplayStore } from './stores';

/**
 * The body of an inbound callback (JSON, UTF-8, signed as in callback-signature.ts):
 *
 *   { "callbackId": "7d0c…",            unique per event and sender; a second delivery is a replay
 *     "event": "payment.paid",          lower-case, dotted: submission.completed, submission.rejected, payment.failed …
 *     "externalId": "pay_…",            the remote's id from the call's answer, and/or
 *     "caseId": "…", "step": "…",       the call it answers (as sent by amtsweg)
 *     "occurredAt": "2026-…+01:00",     when it happened at the remote (optional)
 *     "data": { … } }                   event details for the workflow (optional)
 *
 * Unknown top-level fields are ignored (the sandbox adds `"simulator": true`).
 */
export const inboundCallbackSchema = z
  .object({
    callbackId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{7,199}$/, '8–200 characters: letters, digits, . _ : -'),
    event: z.string().regex(/^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$/, 'lower-case dotted name such as payment.paid').max(64),
    externalId: z.string().min(1).max(200).optional(),
    caseId: z.string().regex(CASE_ID).optional(),
    step: z.string().regex(STEP).optional(),
    occurredAt: z.iso.datetime({ offset: true }).optional(),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((c) => c.externalId !== undefined || (c.caseId !== undefined && c.step !== undefined), {
    message: 'a callback names the externalId or both caseId and step',
    path: ['externalId'],
  });

export type InboundCallbackBody = z.infer<typeof inboundCallbackSchema>;

/** What the waiting workflow receives (structurally the FachverfahrenCallback of workflows/shared). */
export interface RoutedCallback extends InboundCallbackBody {
  adapter: string;
  /** The call it answers, from adapter_calls (filled in when the sender named only the externalId). */
  caseId: string;
  step: string;
  receivedAt: string;
}

export type CallbackRejection =
  | { kind: 'unknown_adapter' }
  | { kind: 'unauthenticated'; reason: SignatureFailure | 'replay' }
  | { kind: 'unsupported_media_type' }
  | { kind: 'malformed'; issues: { path: string; message: string }[] }
  | { kind: 'unroutable' };

/** A callback that is not accepted; the API maps `rejection.kind` to a status. */
export class CallbackRejectedError extends Error {
  override readonly name = 'CallbackRejectedError';
  constructor(
    readonly rejection: CallbackRejection,
    message: string,
  ) {
    super(message);
  }
}

export interface InboundDeps {
  /** Secrets of a configured adapter (current first), or undefined when there is no such adapter. */
  secretsOf(adapter: string): readonly string[] | undefined;
  replay: ReplayStore;
  routes: Pick<AdapterCallStore, 'findRoute'>;
  /** Signals the workflow; errors propagate (the receipt is forgotten first, so a retry may succeed). */
  deliver(workflowId: string, callback: RoutedCallback): Promise<void>;
  now?: () => Date;
}

export interface InboundRequest {
  adapter: string;
  /** The exact bytes received (Express: req.rawBody). Undefined when the body was not JSON. */
  rawBody: Buffer | undefined;
  headers: Record<string, string | string[] | undefined>;
}

export interface InboundResult {
  callbackId: string;
  event: string;
  workflowId: string;
}

const jsonPointer = (path: readonly PropertyKey[]): string => (path.length ? `/${path.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}` : '');

/**
 * Accepts one inbound callback: adapter known → signature and time window → body well-formed →
 * callback id not seen before (PostgreSQL, all replicas) → the waiting workflow found → signalled.
 * Throws CallbackRejectedError for everything the sender did wrong.
 */
export async function receiveCallback(deps: InboundDeps, req: InboundRequest): Promise<InboundResult> {
  const secrets = deps.secretsOf(req.adapter);
  if (!secrets) throw new CallbackRejectedError({ kind: 'unknown_adapter' }, `No adapter named "${req.adapter}" is configured.`);

  const { timestamp, signature } = signatureHeadersOf(req.headers);
  if (!timestamp || !signature) {
    throw new CallbackRejectedError({ kind: 'unauthenticated', reason: 'missing_headers' }, 'The callback must carry X-Timestamp and X-Signature headers.');
  }
  if (!req.rawBody) throw new CallbackRejectedError({ kind: 'unsupported_media_type' }, 'Callbacks are JSON: send Content-Type: application/json.');

  const now = deps.now?.() ?? new Date();
  const check = verifySignature({ secrets, rawBody: req.rawBody, timestamp, signature, now });
  if (!check.ok) {
    const detail: Record<SignatureFailure, string> = {
      missing_headers: 'The callback must carry X-Timestamp and X-Signature headers.',
      malformed: 'X-Signature must be sha512=<128 hex digits> and X-Timestamp whole unix seconds.',
      stale_timestamp: 'The callback is too old: X-Timestamp is more than 5 minutes in the past.',
      future_timestamp: 'X-Timestamp is more than 5 minutes in the future; check the sender’s clock.',
      bad_signature: 'The signature does not match.',
    };
    throw new CallbackRejectedError({ kind: 'unauthenticated', reason: check.reason }, detail[check.reason]);
  }

  let json: unknown;
  try {
    json = JSON.parse(req.rawBody.toString('utf8'));
  } catch {
    throw new CallbackRejectedError({ kind: 'malformed', issues: [{ path: '', message: 'not valid JSON' }] }, 'The callback body is not valid JSON.');
  }
  const parsed = inboundCallbackSchema.safeParse(json);
  if (!parsed.success) {
    throw new CallbackRejectedError(
      { kind: 'malformed', issues: parsed.error.issues.map((i) => ({ path: jsonPointer(i.path), message: i.message })) },
      'The callback body is not a valid callback.',
    );
  }
  const body = parsed.data;

  const first = await deps.replay.remember({
    adapter: req.adapter,
    callbackId: body.callbackId,
    event: body.event,
    signatureDigest: createHash('sha512').update(signature.trim()).digest('hex'),
    signedAt: new Date(check.timestamp * 1000),
  });
  if (!first) throw new CallbackRejectedError({ kind: 'unauthenticated', reason: 'replay' }, 'This callback has been received before (replay).');

  try {
    const route = await deps.routes.findRoute({ adapter: req.adapter, externalId: body.externalId, caseId: body.caseId, step: body.step });
    if (!route) throw new CallbackRejectedError({ kind: 'unroutable' }, 'No process is waiting for this callback (unknown externalId, caseId or step).');
    const callback: RoutedCallback = { ...body, adapter: req.adapter, caseId: route.caseId, step: route.step, receivedAt: now.toISOString() };
    await deps.deliver(route.workflowId, callback);
    await deps.replay.delivered(req.adapter, body.callbackId, route.workflowId);
    return { callbackId: body.callbackId, event: body.event, workflowId: route.workflowId };
  } catch (e) {
    await deps.replay.forget(req.adapter, body.callbackId).catch(() => undefined);
    throw e;
  }
}
