import { createHash } from 'node:crypto';

/** amtsweg's namespace for § 14 delivery message ids (a fixed random UUID). */
export const DELIVERY_MESSAGE_NAMESPACE = '5b0c7a52-3f1e-4d8a-9c61-2f7e0a4b9d13';

/** RFC 4122 version 5 (SHA-1, name-based) UUID of `name` in `namespace`: the same inputs, the same id. */
export function uuidV5(name: string, namespace = DELIVERY_MESSAGE_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new TypeError('namespace must be a UUID');
  const bytes = createHash('sha1').update(Buffer.concat([ns, Buffer.from(name, 'utf8')])).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * The message id of the delivery of a case's Anzeige (form) to one recipient: stable across
 * activity retries and workflow re-runs, so the recipient can drop a duplicate and our table keeps
 * one row. Derived here (an activity) because workflows have no hashing.
 */
export function deliveryMessageId(caseId: string, form: string, recipient: string): string {
  return uuidV5(`gewo14:${caseId}:${form}:${recipient}`);
}
