/**
 * Failure modes of the sandbox, switchable per request (header `X-Sandbox-Fail: <spec>`) or by a
 * rule (POST /sandbox/faults, or `sandbox.addFault()` in-process) that matches requests:
 *
 *   technical        every attempt answers 503 (Retry-After: 1)
 *   technical-N      the first N attempts per idempotency key answer 503, then it works
 *   timeout          every attempt hangs (the caller's timeout fires; the sandbox gives up after 60 s)
 *   timeout-N        the first N attempts hang, then it works
 *   business:CODE    422 {code: CODE} — the Fachverfahren says no (e.g. business:INVALID_IBAN)
 *   slow-MS          answers normally after MS extra milliseconds
 */
export type FaultSpec =
  | { mode: 'technical'; times?: number }
  | { mode: 'timeout'; times?: number }
  | { mode: 'business'; code: string }
  | { mode: 'slow'; ms: number };

export function parseFault(spec: string | undefined): FaultSpec | undefined {
  if (!spec) return undefined;
  const s = spec.trim();
  let m: RegExpExecArray | null;
  if ((m = /^(technical|timeout)(?:-(\d{1,4}))?$/.exec(s))) {
    const mode = m[1] as 'technical' | 'timeout';
    return m[2] === undefined ? { mode } : { mode, times: Number(m[2]) };
  }
  if ((m = /^business:([A-Z][A-Z0-9_]{0,63})$/.exec(s))) return { mode: 'business', code: m[1]! };
  if ((m = /^slow-(\d{1,6})$/.exec(s))) return { mode: 'slow', ms: Number(m[1]) };
  throw new Error(`unknown X-Sandbox-Fail "${spec}": technical[-N] | timeout[-N] | business:CODE | slow-MS`);
}

export type Operation = 'submit' | 'status' | 'cancel' | 'payment' | 'payment-status' | 'refund';

/** A standing rule: every matching request gets `fail`. Unset fields match anything. */
export interface FaultRule {
  fail: string;
  adapter?: string;
  operation?: Operation;
  /** Submission kind, e.g. gewo14-delivery. */
  kind?: string;
  /** Matches steps starting with this, e.g. "gewo14-delivery:ihk". */
  stepPrefix?: string;
  /** § 14 deliveries: payload.recipient, e.g. "ihk". */
  recipient?: string;
}

export interface RequestFacts {
  adapter: string;
  operation: Operation;
  kind?: string;
  step?: string;
  recipient?: string;
}

export function ruleMatches(rule: FaultRule, f: RequestFacts): boolean {
  return (
    (rule.adapter === undefined || rule.adapter === f.adapter) &&
    (rule.operation === undefined || rule.operation === f.operation) &&
    (rule.kind === undefined || rule.kind === f.kind) &&
    (rule.stepPrefix === undefined || (f.step ?? '').startsWith(rule.stepPrefix)) &&
    (rule.recipient === undefined || rule.recipient === f.recipient)
  );
}
