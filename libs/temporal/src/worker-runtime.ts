import { Runtime } from '@temporalio/worker';
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import type { Logger as PinoLogger } from 'pino';
import { redactTemporalLogMeta } from './log-redaction';

/** Temporal's logger interface on top of pino (SDK, Core, workflow.log and activity log all end up here). */
export class PinoTemporalLogger implements Logger {
  constructor(private readonly pino: PinoLogger) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    // Errors are logged without their messages: they can quote personal data (log-redaction.ts).
    const fields = meta ? redactTemporalLogMeta(meta) : {};
    switch (level) {
      case 'TRACE':
        this.pino.trace(fields, message);
        break;
      case 'DEBUG':
        this.pino.debug(fields, message);
        break;
      case 'INFO':
        this.pino.info(fields, message);
        break;
      case 'WARN':
        this.pino.warn(fields, message);
        break;
      case 'ERROR':
        this.pino.error(fields, message);
        break;
    }
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

export interface WorkerRuntimeOptions {
  logger: PinoLogger;
  /**
   * Where Temporal Core serves the worker's Prometheus metrics, as `host:port`; the scrape URL is
   * `http://<host:port>/metrics` (default `http://127.0.0.1:9464/metrics`, WORKER_METRICS_PORT).
   * Use `0.0.0.0:<port>` where a scraper in another container must reach it. Undefined: no metrics.
   */
  metricsBindAddress?: string;
}

export interface InstalledWorkerRuntime {
  /** `http://host:port/metrics`, or undefined when metrics are off. */
  metricsUrl?: string;
}

let installed: InstalledWorkerRuntime | undefined;

/**
 * Installs the process-wide Temporal Runtime: pino logging for the SDK and Core, Prometheus metrics.
 * Call it once at process start, before any NativeConnection or Worker exists (they would
 * otherwise create a default Runtime). Further calls return the first installation's result.
 *
 * The Runtime's own signal handling is switched off (shutdownSignals: []): the worker app drains
 * its workers itself on SIGTERM/SIGINT, in order, before closing the pool.
 */
export function installWorkerRuntime(opts: WorkerRuntimeOptions): InstalledWorkerRuntime {
  if (installed) return installed;
  const coreLevel = (opts.logger.isLevelEnabled('debug') ? 'DEBUG' : 'WARN') satisfies LogLevel;
  Runtime.install({
    logger: new PinoTemporalLogger(opts.logger.child({ component: 'temporal' })),
    shutdownSignals: [],
    telemetryOptions: {
      logging: { filter: { core: coreLevel, other: 'ERROR' }, forward: {} },
      ...(opts.metricsBindAddress ? { metrics: { prometheus: { bindAddress: opts.metricsBindAddress } } } : {}),
    },
  });
  installed = { metricsUrl: opts.metricsBindAddress ? `http://${opts.metricsBindAddress}/metrics` : undefined };
  return installed;
}
