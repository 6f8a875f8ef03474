import { Inject, Injectable } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { Transporter } from 'nodemailer';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { hostname } from 'node:os';
import type { ActivityDeps } from '../../../activities';
import { startOfferOutboxDrainer } from '../../../activities/alarms/offer-outbox';
import type { OfferOutboxDrainer } from '../../../activities/alarms/offer-outbox';
import type { AppConfig } from '../../../libs/config/src/config';
import { pendingMigrations } from '../../../libs/db/src/migrate';
import { TASK_QUEUES } from '../../../libs/domain/src/task-queues';
import { encryptedDataConverter } from '../../../libs/temporal/src/encryption-codec';
import { resolvePayloadKeys } from '../../../libs/temporal/src/payload-keys';
import { CONFIG, LOGGER, MAIL_TRANSPORT, POOL } from './tokens';
import { ensureSchedules } from './schedules';
import { connectWithRetry, createWorkers, startWorkers } from './workers';
import type { RunningWorkers } from './workers';

/**
 * Owns the Temporal side of the worker process. start() (called by main after the shutdown hooks
 * are in place) checks the schema, connects to Temporal with backoff, creates one worker per task
 * queue and runs them. onApplicationShutdown drains: the workers stop polling, running activities
 * get shutdownGraceTime to finish, every run() resolves — only then the Temporal connection, the
 * pool and the mail transport are closed.
 */
@Injectable()
export class WorkerHost implements OnApplicationShutdown {
  private readonly abort = new AbortController();
  private connection: NativeConnection | undefined;
  private running: RunningWorkers | undefined;
  private starting: Promise<void> | undefined;
  private offerOutbox: OfferOutboxDrainer | undefined;

  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(POOL) private readonly pool: Pool,
    @Inject(MAIL_TRANSPORT) private readonly transport: Transporter,
  ) {}

  get stopping(): boolean {
    return this.abort.signal.aborted;
  }

  /** Resolves when the workers have stopped; rejects when one failed fatally. Undefined before start(). */
  get done(): Promise<void> | undefined {
    return this.running?.done;
  }

  start(): Promise<void> {
    this.starting ??= this.doStart();
    return this.starting;
  }

  private async doStart(): Promise<void> {
    // AES-256-GCM payload encryption with PAYLOAD_KEYS (or the local dev key in DATA_DIR): the same
    // keys as the API's client, or neither could read what the other wrote. A bad key file fails here.
    const dataConverter = encryptedDataConverter(this.config);
    await this.checkSchema();
    const deps: ActivityDeps = { pool: this.pool, mail: { transport: this.transport, from: this.config.MAIL_FROM }, config: this.config };
    this.connection = await connectWithRetry({ address: this.config.TEMPORAL_ADDRESS, logger: this.logger, signal: this.abort.signal });
    if (this.stopping) return;
    const taskQueues = Object.values(TASK_QUEUES);
    const workers = await createWorkers(deps, {
      connection: this.connection,
      namespace: this.config.TEMPORAL_NAMESPACE,
      taskQueues,
      dataConverter,
      logger: this.logger,
      identity: `amtsweg-worker@${hostname()}:${process.pid}`,
    });
    this.running = startWorkers(workers, this.logger);
    // Terminalarm offers queued by the matcher (API publication, activities): signal + mail, event-driven
    this.offerOutbox = startOfferOutboxDrainer({
      pool: this.pool,
      client: new Client({ connection: this.connection, namespace: this.config.TEMPORAL_NAMESPACE, dataConverter }),
      mail: deps.mail,
      config: this.config,
      keys: resolvePayloadKeys(this.config),
      logger: this.logger.child({ component: 'offer-outbox' }),
    });
    // Nightly jobs (the retention sweep) are Temporal Schedules; failing to create them must not stop the workers.
    ensureSchedules(new Client({ connection: this.connection, namespace: this.config.TEMPORAL_NAMESPACE, dataConverter }), this.config).then(
      (schedules) => this.logger.info({ schedules }, 'schedules in place'),
      (e: unknown) => this.logger.error({ err: e }, 'could not create or update the schedules; the next worker start tries again'),
    );
    if (this.stopping) await this.running.stop();
    else this.logger.info({ taskQueues, namespace: this.config.TEMPORAL_NAMESPACE, temporal: this.config.TEMPORAL_ADDRESS }, 'workers running');
  }

  /**
   * The worker never migrates (npm start, the tests and `npm run migrate` do); it refuses to run on
   * a schema that is behind the code. An unreachable database is only a warning: activities retry.
   */
  private async checkSchema(): Promise<void> {
    let pending: string[];
    try {
      pending = await pendingMigrations(this.pool);
    } catch (e) {
      this.logger.warn({ reason: e instanceof Error ? e.message : String(e) }, 'database not reachable at boot; activities will retry');
      return;
    }
    if (pending.length > 0) {
      throw new Error(`database schema is behind: ${pending.length} migration(s) not applied (${pending.join(', ')}); run \`npm run migrate\``);
    }
  }

  async onApplicationShutdown(signal?: string): Promise<void> {
    this.logger.info({ signal }, 'shutting down: draining workers');
    this.abort.abort();
    await this.starting?.catch(() => undefined);
    await this.offerOutbox?.stop();
    await this.running?.stop();
    this.logger.info('workers drained');
    await this.connection?.close().catch((e: unknown) => this.logger.warn({ err: e }, 'closing the Temporal connection failed'));
    await this.pool.end().catch((e: unknown) => this.logger.warn({ err: e }, 'closing the database pool failed'));
    this.transport.close();
  }
}
