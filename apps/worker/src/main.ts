/**
 * The amtsweg worker process (`npm run start:worker`, dist/apps/worker/src/main.js).
 *
 * Boot: validate configuration → pino logger → Temporal Runtime (pino logging, Prometheus metrics
 * at http://127.0.0.1:<WORKER_METRICS_PORT>/metrics, default 9464; WORKER_METRICS_PORT=0 turns the
 * endpoint off) → Nest application context (pool, mail transport, WorkerHost) → shutdown hooks →
 * WorkerHost.start(): schema check, connect to TEMPORAL_ADDRESS with backoff, one Temporal worker
 * per task queue in TASK_QUEUES.
 *
 * Migrations: never run here. `npm start` runs them before it starts the worker, production runs
 * `npm run migrate` as a release step; the worker refuses to start on a schema that is behind.
 *
 * Stop: SIGTERM / SIGINT → workers drain (no new tasks, running activities get their grace time,
 * every run() resolves) → Temporal connection, pool and mail transport close → exit 0. A fatal
 * worker error or a failed boot exits 1.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigError, loadConfig } from '../../../libs/config/src/config';
import type { AppConfig } from '../../../libs/config/src/config';
import { installWorkerRuntime } from '../../../libs/temporal/src/worker-runtime';
import { NestPinoLogger, createWorkerLogger } from './logger';
import { WorkerHost } from './worker-host';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (e) {
    process.stderr.write(`${e instanceof ConfigError ? e.message : String(e)}\n`);
    process.exit(1);
  }
  const logger = createWorkerLogger(config);

  const metricsBindAddress = config.WORKER_METRICS_PORT > 0 ? `127.0.0.1:${config.WORKER_METRICS_PORT}` : undefined;
  const { metricsUrl } = installWorkerRuntime({ logger, metricsBindAddress });

  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, logger), {
    logger: new NestPinoLogger(logger.child({ component: 'nest' })),
    abortOnError: false,
  });
  // SIGTERM/SIGINT → app.close() → WorkerHost.onApplicationShutdown (drain) → process.exit(0).
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });

  const host = app.get(WorkerHost);
  const fail = async (e: unknown, what: string) => {
    logger.fatal({ err: e }, what);
    await app.close().catch(() => undefined);
    process.exit(1);
  };
  try {
    await host.start();
  } catch (e) {
    if (host.stopping) return; // a signal arrived during boot; the shutdown hook exits
    return fail(e, 'worker failed to start');
  }
  if (host.stopping) return;
  logger.info({ metricsUrl: metricsUrl ?? 'off' }, 'amtsweg worker ready');
  host.done?.catch((e: unknown) => (host.stopping ? undefined : fail(e, 'a Temporal worker failed; exiting')));
}

main().catch((e: unknown) => {
  process.stderr.write(`worker failed to boot: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
