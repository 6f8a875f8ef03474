import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HMAC-SHA-512 signatures for messages between amtsweg and a Fachverfahren — inbound callbacks
 * (`POST /api/v1/integrations/{adapter}/callbacks`) and, by the reference HTTP adapter, outbound
 * requests too.
 *
 *   X-Timestamp: <unix time in whole seconds, e.g. 1767225600>
 *   X-Signature: sha512=<lower-case hex of HMAC-SHA-512(secret, X-Timestamp + "." + raw body)>
 *
 * The raw body is the exact bytes on the wire (no re-serialised JSON). A message is accepted when
 * the timestamp is at most 5 minutes old and at most 5 minutes in the future (clock skew), and the
 * signature matches one of the adapter's secrets (current and, during a rotation, the previous one),
 * compared in constant time. Replays inside the window are caught by the callback id (see
 * callback-receipts.ts), not here.
 */
export const SIGNATURE_HEADER = 'x-signature';
export const TIMESTAMP_HEADER = 'x-timestamp';
export const SIGNATURE_PREFIX = 'sha512=';
/** How far a timestamp may be in the past or in the future. */
export const MAX_SKEW_SECONDS = 300;

const TIMESTAMP = /^\d{1,12}$/;
const SIGNATURE = /^sha512=([0-9a-fA-F]{128})$/;

export function unixSeconds(now: Date = new Date()): number {
  return Math.floor(now.getTime() / 1000);
}

function mac(secret: string, timestamp: string, rawBody: Buffer | string): Buffer {
  return createHmac('sha512', secret)
    .update(`${timestamp}.`, 'utf8')
    .update(typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody)
    .digest();
}

export interface SignedHeaders {
  'X-Timestamp': string;
  'X-Signature': string;
}

/** Headers for sending `rawBody` signed with `secret` (timestamp = now unless given). */
export function signMessage(secret: string, rawBody: Buffer | string, timestamp: number = unixSeconds()): SignedHeaders {
  if (!secret) throw new TypeError('signMessage: empty secret');
  const ts = String(Math.trunc(timestamp));
  return { 'X-Timestamp': ts, 'X-Signature': `${SIGNATURE_PREFIX}${mac(secret, ts, rawBody).toString('hex')}` };
}

export type SignatureFailure =
  /** X-Signature or X-Timestamp missing. */
  | 'missing_headers'
  /** Not `sha512=<128 hex digits>`, or the timestamp is not whole unix seconds. */
  | 'malformed'
  /** Older than MAX_SKEW_SECONDS. */
  | 'stale_timestamp'
  /** More than MAX_SKEW_SECONDS ahead of our clock. */
  | 'future_timestamp'
  /** Well-formed, in time, but no secret produces it. */
  | 'bad_signature';

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: SignatureFailure };

export interface VerifyInput {
  /** Accepted secrets: the current one first, a previous one during rotation. */
  secrets: readonly string[];
  rawBody: Buffer | string;
  timestamp: string | undefined;
  signature: string | undefined;
  now?: Date;
  maxSkewSeconds?: number;
}

/**
 * Checks a signed message. Cheap checks (format, time window) come first; the MAC comparison uses
 * crypto.timingSafeEqual on two 64-byte buffers, for every configured secret (no early exit that
 * would reveal which secret matched).
 */
export function verifySignature(input: VerifyInput): SignatureCheck {
  const { timestamp, signature } = input;
  if (!timestamp || !signature) return { ok: false, reason: 'missing_headers' };
  const m = SIGNATURE.exec(signature.trim());
  const ts = timestamp.trim();
  if (!m || !TIMESTAMP.test(ts)) return { ok: false, reason: 'malformed' };

  const seconds = Number(ts);
  const now = unixSeconds(input.now);
  const skew = input.maxSkewSeconds ?? MAX_SKEW_SECONDS;
  if (seconds < now - skew) return { ok: false, reason: 'stale_timestamp' };
  if (seconds > now + skew) return { ok: false, reason: 'future_timestamp' };

  const given = Buffer.from(m[1]!, 'hex');
  let match = false;
  for (const secret of input.secrets) {
    if (!secret) continue;
    const expected = mac(secret, ts, input.rawBody);
    // Both are 64 bytes (SHA-512); timingSafeEqual would throw on a length mismatch.
    if (expected.length === given.length && timingSafeEqual(expected, given)) match = true;
  }
  return match ? { ok: true, timestamp: seconds } : { ok: false, reason: 'bad_signature' };
}

/** Reads the two headers from a Node/Express header object (names are lower-case there). */
export function signatureHeadersOf(headers: Record<string, string | string[] | undefined>): { timestamp?: string; signature?: string } {
  const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? (v.length === 1 ? v[0] : undefined) : v);
  const timestamp = one(headers[TIMESTAMP_HEADER]);
  const signature = one(headers[SIGNATURE_HEADER]);
  return { ...(timestamp !== undefined && { timestamp }), ...(signature !== undefined && { signature }) };
}
