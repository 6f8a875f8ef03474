import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import type { AppConfig } from '../../../libs/config/src/config';
import { createPool } from '../../../libs/db/src/pool';
import { createMailTransport } from '../../../libs/mail/src/transport';
import { CONFIG, LOGGER, MAIL_TRANSPORT, POOL } from './tokens';
import { WorkerHost } from './worker-host';

/**
 * The worker process: configuration, logger, the activities' dependencies (pool, mail transport —
 * later groups add theirs here, see activities/deps.ts) and WorkerHost, which runs the Temporal
 * workers and closes everything in order on shutdown.
 */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: WorkerModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        {
          provide: POOL,
          useFactory: () => {
            const pool = createPool({ connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_MAX, applicationName: 'amtsweg-worker' });
            // An idle client losing its connection (database restart) must not crash the worker.
            pool.on('error', (err) => logger.warn({ err: { message: err.message } }, 'idle database connection lost'));
            return pool;
          },
        },
        { provide: MAIL_TRANSPORT, useFactory: () => createMailTransport(config.SMTP_URL) },
        WorkerHost,
      ],
      exports: [WorkerHost],
    };
  }
}
