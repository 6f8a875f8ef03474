/** The dependencies /health reports on (API.md "Operations"). */
export const HEALTH_CHECK_NAMES = ['database', 'temporal', 'mail'] as const;
export type HealthCheckName = (typeof HEALTH_CHECK_NAMES)[number];

/** Resolves when the dependency answers, rejects (or never settles) when it does not. */
export type HealthCheck = () => Promise<void>;
export type HealthChecks = Record<HealthCheckName, HealthCheck>;

export type CheckState = 'up' | 'down';
export interface HealthReport {
  status: 'ok' | 'unavailable';
  checks: Record<HealthCheckName, CheckState>;
}

/** Rejects after `ms` unless the promise settles first; the timer never keeps the process alive. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
