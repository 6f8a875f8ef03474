import { Global, Inject, Module } from '@nestjs/common';
import type { DynamicModule, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Client } from '@temporalio/client';
import type { Transporter } from 'nodemailer';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { AppConfig } from '../../../../libs/config/src/config';
import { createPool } from '../../../../libs/db/src/pool';
import { createMailTransport } from '../../../../libs/mail/src/transport';
import { createTemporalClient } from '../../../../libs/temporal/src/connection';
import { encryptedDataConverter } from '../../../../libs/temporal/src/encryption-codec';
import { piiGuardInterceptor } from '../../../../libs/temporal/src/pii-guard';
import { MAIL_TRANSPORT, PG_POOL, ROOT_LOGGER } from '../tokens';
import { TemporalClientHolder } from './temporal-client.holder';

export interface InfrastructureOverrides {
  pool?: Pool;
  mailTransport?: Transporter;
  /** Replaces createTemporalClient (tests: a client of a test server, or a rejecting stub). */
  connectTemporal?: () => Promise<Client>;
}

/**
 * The API's connections to the outside — PostgreSQL pool, Temporal client, SMTP transport — made
 * once per process, available everywhere, closed after the HTTP server has stopped accepting
 * requests (NestJS runs onApplicationShutdown after closing the server).
 */
@Global()
@Module({})
export class InfrastructureModule implements OnModuleInit, OnApplicationShutdown {
  static forRoot(config: AppConfig, overrides: InfrastructureOverrides = {}): DynamicModule {
    return {
      module: InfrastructureModule,
      providers: [
        {
          provide: PG_POOL,
          inject: [ROOT_LOGGER],
          useFactory: (logger: Logger): Pool => {
            const pool = overrides.pool ?? createPool({ connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_MAX, applicationName: 'amtsweg-api' });
            // An idle client losing its connection emits 'error' on the pool; unhandled, it would kill the process.
            pool.on('error', (err) => logger.warn({ reason: err.message }, 'idle PostgreSQL connection failed'));
            return pool;
          },
        },
        {
          provide: TemporalClientHolder,
          inject: [ROOT_LOGGER],
          useFactory: (logger: Logger) => {
            if (overrides.connectTemporal) return new TemporalClientHolder(overrides.connectTemporal, logger);
            // Same keys as the worker (PAYLOAD_KEYS or DATA_DIR/payload-keys), resolved at boot so a bad
            // key stops the API; ids and search attributes are checked for personal data before
            // anything reaches Temporal.
            const dataConverter = encryptedDataConverter(config);
            const connect = () =>
              createTemporalClient({ address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE, dataConverter, interceptors: { workflow: [piiGuardInterceptor()] } });
            return new TemporalClientHolder(connect, logger);
          },
        },
        { provide: MAIL_TRANSPORT, useFactory: (): Transporter => overrides.mailTransport ?? createMailTransport(config.SMTP_URL) },
      ],
      exports: [PG_POOL, TemporalClientHolder, MAIL_TRANSPORT],
    };
  }

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly temporal: TemporalClientHolder,
    @Inject(MAIL_TRANSPORT) private readonly mail: Transporter,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.temporal.start();
  }

  async onApplicationShutdown(signal?: string): Promise<void> {
    this.logger.info({ signal }, 'HTTP server closed; closing connections');
    const results = await Promise.allSettled([this.pool.end(), this.temporal.close(), Promise.resolve(this.mail.close())]);
    for (const r of results) if (r.status === 'rejected') this.logger.warn({ reason: String(r.reason) }, 'error while closing a connection');
  }
}
