import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { AppConfig } from '../../../../libs/config/src/config';
import { APP_CONFIG, HEALTH_CHECKS, ROOT_LOGGER } from '../tokens';
import { HEALTH_CHECK_NAMES, withTimeout } from './health-checks';
import type { CheckState, HealthCheckName, HealthChecks, HealthReport } from './health-checks';

/**
 * Runs the dependency checks in parallel, each with HEALTH_CHECK_TIMEOUT_MS. Concurrent callers
 * share one run and a result younger than HEALTH_CACHE_MS is reused, so a probe storm (or a load
 * test using /health as its ceiling) never becomes a storm on PostgreSQL, Temporal and SMTP.
 * A check going down or coming back is logged once, with the reason.
 */
@Injectable()
export class HealthService {
  private inFlight: Promise<HealthReport> | undefined;
  private last: { at: number; report: HealthReport } | undefined;
  private readonly previous = new Map<HealthCheckName, CheckState>();

  constructor(
    @Inject(HEALTH_CHECKS) private readonly checks: HealthChecks,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async report(): Promise<HealthReport> {
    if (this.last && Date.now() - this.last.at < this.config.HEALTH_CACHE_MS) return this.last.report;
    this.inFlight ??= this.run().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async run(): Promise<HealthReport> {
    const results = await Promise.all(
      HEALTH_CHECK_NAMES.map(async (name): Promise<[HealthCheckName, CheckState]> => {
        try {
          await withTimeout(Promise.resolve().then(this.checks[name]), this.config.HEALTH_CHECK_TIMEOUT_MS, name);
          this.transition(name, 'up');
          return [name, 'up'];
        } catch (err) {
          this.transition(name, 'down', err);
          return [name, 'down'];
        }
      }),
    );
    const checks = Object.fromEntries(results) as HealthReport['checks'];
    const report: HealthReport = { status: results.every(([, s]) => s === 'up') ? 'ok' : 'unavailable', checks };
    this.last = { at: Date.now(), report };
    return report;
  }

  private transition(name: HealthCheckName, state: CheckState, err?: unknown): void {
    const before = this.previous.get(name);
    this.previous.set(name, state);
    if (before === state) return;
    if (state === 'down') this.logger.warn({ check: name, reason: err instanceof Error ? err.message : String(err) }, `health: ${name} is down`);
    else if (before === 'down') this.logger.info({ check: name }, `health: ${name} is up again`);
  }
}
