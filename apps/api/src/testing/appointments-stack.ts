import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, bundleWorkflowCode } from '@temporalio/worker';
import { createWorkers, startWorkers } from '../../../worker/src/workers';
import { startOfferOutboxDrainer } from '../../../../activities/alarms/offer-outbox';
import { signDevToken } from '../../../../libs/auth/src/dev-tokens';
import type { Principal } from '../../../../libs/auth/src/principal';
import { loadConfig } from '../../../../libs/config/src/config';
import { createPool } from '../../../../libs/db/src/pool';
import { TASK_QUEUES } from '../../../../libs/domain/src/task-queues';
import { createMailTransport } from '../../../../libs/mail/src/transport';
import { createTemporalClient } from '../../../../libs/temporal/src/connection';
import { piiGuardInterceptor } from '../../../../libs/temporal/src/pii-guard';
import { createTestDatabase } from '../../../../test/support/db';
import type { TestDatabase } from '../../../../test/support/db';
import { TEST_PAYLOAD_KEYS, testDataConverter } from '../../../../test/support/temporal';
import { parsePayloadKeys } from '../../../../libs/temporal/src/payload-keys';
import { TemporalClientHolder } from '../infrastructure/temporal-client.holder';
import { createTestApp, testConfig } from './test-app';

export const RELEASE_BLOCK_SECONDS = 3;
export const OFFICE_A = 'buergeramt-rathaus-neukoelln';
export const OFFICE_B = 'buergeramt-rathaus-spandau';

export const APPOINTMENT_STAFF = {
  admin: { sub: 'admin-1', roles: ['admin'], trustLevel: 'hoch', groups: [] },
  neukoelln: { sub: 'cw-nk', roles: ['caseworker'], trustLevel: 'hoch', groups: [], office: OFFICE_A },
  spandau: { sub: 'cw-sp', roles: ['caseworker'], trustLevel: 'hoch', groups: [], office: OFFICE_B },
} satisfies Record<string, Principal>;
export type AppointmentStaff = keyof typeof APPOINTMENT_STAFF;

export interface AppointmentsStack {
  db: TestDatabase;
  client: Client;
  app: NestExpressApplication;
  tokens: Record<AppointmentStaff, string>;
  /** Terminates the given workflows, then stops the API, the worker and the database. */
  stop(workflowIds: string[]): Promise<void>;
}

/**
 * Appointments end to end, shared by the booking and Terminalarm integration tests: the API
 * in-process on a fresh PostgreSQL database (with the seed catalogue), the shared Temporal dev
 * server, the SMTP sink, and a worker in-process with the real activities and the production data
 * converter on TASK_QUEUES.appointments. Only the given workflows are bundled, so a test does not
 * depend on other processes' code. Freed seats are withheld RELEASE_BLOCK_SECONDS.
 */
export async function startAppointmentsStack(opts: { dbPrefix: string; workflowsPath: string }): Promise<AppointmentsStack> {
  const address = process.env.TEMPORAL_ADDRESS;
  const smtpUrl = process.env.SMTP_URL;
  if (!address || !smtpUrl) throw new Error('TEMPORAL_ADDRESS / SMTP_URL are not set (test/global-setup.ts)');
  const namespace = process.env.TEMPORAL_NAMESPACE || 'default';
  // ERROR: the expected CONFLICT rejections of booking races would each log a warning
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const db = await createTestDatabase(opts.dbPrefix);
  const appPool = createPool({ connectionString: db.url, max: 10 });
  const transport = createMailTransport(smtpUrl);
  const connection = await NativeConnection.connect({ address });
  const dataConverter = testDataConverter();
  const client = await createTemporalClient({ address, namespace, dataConverter });
  const workerConfig = loadConfig({ ...process.env, DATABASE_URL: db.url, SMTP_URL: smtpUrl, TEMPORAL_ADDRESS: address, NODE_ENV: 'test', SLOT_RELEASE_BLOCK: `PT${RELEASE_BLOCK_SECONDS}S`, PUBLIC_BASE_URL: 'https://termine.example.berlin' });
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: opts.workflowsPath,
    failureConverterPath: dataConverter.failureConverterPath,
    logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  const workers = await createWorkers(
    { pool: db.pool, mail: { transport, from: 'amtsweg Test <noreply@amtsweg.test>' }, config: workerConfig },
    { connection, namespace, taskQueues: [TASK_QUEUES.appointments], dataConverter, workflowBundle, shutdownGraceTime: '2 seconds' },
  );
  const running = startWorkers(workers);
  // the worker process's offer outbox drainer (apps/worker WorkerHost), with the API's payload keys
  const offerOutbox = startOfferOutboxDrainer({ pool: db.pool, client, mail: { transport, from: 'amtsweg Test <noreply@amtsweg.test>' }, config: workerConfig, keys: parsePayloadKeys(TEST_PAYLOAD_KEYS) });

  const app = await createTestApp(
    { DATABASE_URL: db.url, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace, RATE_LIMIT_PUBLIC_PER_MINUTE: '100000', APPOINTMENTS_PER_EMAIL_LIMIT: '2' },
    { pool: appPool, connectTemporal: () => createTemporalClient({ address, namespace, dataConverter, interceptors: { workflow: [piiGuardInterceptor()] } }) },
  );
  const holder = app.get(TemporalClientHolder);
  for (let i = 0; i < 100 && !holder.isConnected; i++) await new Promise((r) => setTimeout(r, 100));
  const secret = testConfig().DEV_JWT_SECRET;
  const tokens = {} as Record<AppointmentStaff, string>;
  for (const who of Object.keys(APPOINTMENT_STAFF) as AppointmentStaff[]) tokens[who] = (await signDevToken(secret, APPOINTMENT_STAFF[who], 3600)).access_token;

  return {
    db,
    client,
    app,
    tokens,
    async stop(workflowIds) {
      await Promise.allSettled(workflowIds.map((id) => client.workflow.getHandle(id).terminate('test finished')));
      await offerOutbox.stop();
      await app.close(); // ends appPool
      await running.stop();
      await connection.close();
      await client.connection.close();
      transport.close();
      await db.drop();
    },
  };
}
