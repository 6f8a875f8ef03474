/**
 * Error messages can quote personal data (an IBAN the bank refused, an address that failed
 * validation, an SMTP error naming the recipient). The payload codec keeps them out of Temporal's
 * history; this keeps them out of the logs: the Temporal SDK logs every failed activity and
 * workflow with its `error`, and those log lines are rewritten here to the error's kind and stack
 * frames only. Staff read the full message through the codec (Temporal Web UI), where access is
 * checked and audited.
 */

export interface RedactedError {
  /** The class name (Error, ApplicationFailure, ActivityFailure, …). */
  name: string;
  /** ApplicationFailure's type: a code chosen by the programmer, never data. */
  failureType?: string;
  nonRetryable?: boolean;
  /** Where it happened: the stack's frames without the message line(s). */
  stack?: string;
  cause?: RedactedError;
  message: '[REDACTED]';
}

const MAX_DEPTH = 5;

/**
 * Errors from the workflow sandbox come from another V8 realm (`instanceof Error` is false there),
 * so anything with a string name and message counts.
 */
export function isErrorLike(v: unknown): v is Error {
  if (v instanceof Error) return true;
  return typeof v === 'object' && v !== null && typeof (v as Error).message === 'string' && typeof (v as Error).name === 'string';
}

function framesOnly(stack: unknown): string | undefined {
  if (typeof stack !== 'string') return undefined;
  const frames = stack.split('\n').filter((l) => /^\s+at /.test(l));
  return frames.length > 0 ? frames.join('\n') : undefined;
}

/** An error reduced to what is safe to log (no message, no details). */
export function redactErrorForLog(err: Error, depth = 0): RedactedError {
  const e = err as Error & { type?: unknown; nonRetryable?: unknown; cause?: unknown };
  const out: RedactedError = { name: typeof e.name === 'string' ? e.name : 'Error', message: '[REDACTED]' };
  if (typeof e.type === 'string' && /^[A-Za-z0-9_.:-]{1,100}$/.test(e.type)) out.failureType = e.type;
  if (typeof e.nonRetryable === 'boolean') out.nonRetryable = e.nonRetryable;
  const stack = framesOnly(e.stack);
  if (stack) out.stack = stack;
  if (isErrorLike(e.cause) && depth < MAX_DEPTH) out.cause = redactErrorForLog(e.cause, depth + 1);
  return out;
}

/** Log metadata with every Error value (top level: `error`, `err`, `failure`, …) redacted. */
export function redactTemporalLogMeta<T extends Record<string, unknown>>(meta: T): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(meta)) out[k] = isErrorLike(v) ? redactErrorForLog(v) : v;
  return out;
}
