import { createHash, randomUUID } from 'node:crypto';

/** Fixed namespace of amtsweg case ids (a random UUID, chosen once; never change it). */
export const CASE_ID_NAMESPACE = '6f1d2c7e-3b8a-4e59-9c41-0d7a5e2b8f13';

/**
 * The case id of a submission: a name-based UUID (version 5 layout: SHA-1 of namespace + name) of
 * the caller's `sub` and the request's Idempotency-Key, so a retried submission — even one that
 * reaches another API replica after a crash — names the same case and the same workflow
 * (`case-<caseId>`), and update-with-start returns the first receipt instead of opening a second
 * case. The sub cannot be read back from the id.
 */
export function deriveCaseId(sub: string, idempotencyKey: string): string {
  const ns = Buffer.from(CASE_ID_NAMESPACE.replace(/-/g, ''), 'hex');
  // JSON keeps the two parts apart ("a","bc" ≠ "ab","c").
  const hash = createHash('sha1').update(ns).update(JSON.stringify([sub, idempotencyKey]), 'utf8').digest();
  const b = Buffer.from(hash.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x50; // version 5
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** deriveCaseId when the client sent an Idempotency-Key, a random UUID otherwise. */
export function caseIdForSubmission(sub: string, idempotencyKey: string | undefined): string {
  return idempotencyKey ? deriveCaseId(sub, idempotencyKey) : randomUUID();
}
