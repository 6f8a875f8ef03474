import { createHash } from 'node:crypto';
import type { CallRef } from './adapter';

/** Case ids are opaque (UUID or case number such as WG-2026-000123); never names or addresses. */
export const CASE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
/** Step names are chosen by the workflow: `payment-instruction`, `gewo14-delivery:ihk`, `fee-refund`. */
export const STEP = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;

/** Throws a TypeError (a programming error in the workflow, never a remote's fault) on a malformed ref. */
export function assertCallRef(ref: CallRef): void {
  if (typeof ref?.caseId !== 'string' || !CASE_ID.test(ref.caseId)) throw new TypeError('caseId must match ' + String(CASE_ID));
  if (typeof ref?.step !== 'string' || !STEP.test(ref.step)) throw new TypeError('step must match ' + String(STEP));
}

/**
 * The idempotency key sent to the remote for the call of `step` in case `caseId`:
 * `aw1-` + hex SHA-256 of `caseId "\n" step`. Deterministic (every retry, every worker, every
 * replica computes the same key), header-safe, fixed length, and it reveals nothing about the case.
 * Each step name is used for one call only (a refund is its own step, e.g. `fee-refund`).
 */
export function idempotencyKey(caseId: string, step: string): string {
  assertCallRef({ caseId, step });
  return `aw1-${createHash('sha256').update(`${caseId}\n${step}`, 'utf8').digest('hex')}`;
}
