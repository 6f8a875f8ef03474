import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createTestDatabase } from './db';
import type { TestDatabase } from './db';
import { createTestNamespace } from './namespace';
import { TEST_PAYLOAD_KEYS } from './payload-keys';
import { testDataConverter } from './temporal';
import { ensureWorkerBuilt, killWorkerProcesses } from './worker-process';

export interface WorkerProcessRig {
  db: TestDatabase;
  /** Encrypts exactly like the API does; the worker process gets the same key through PAYLOAD_KEYS. */
  client: Client;
  /** The environment of a real worker process on this rig (pass to startWorkerProcess). */
  workerEnv: Record<string, string>;
}

/**
 * What a test of the real worker process (a SIGKILL, a restart) needs around it: the build, a fresh
 * database, a Temporal namespace of its own (a killed worker's leftovers stay there), a data dir and
 * the worker's environment — set up in beforeAll and torn down in afterAll, children first, also
 * when the test failed half-way: no worker may outlive its file. `ready` receives the rig.
 */
export function useWorkerProcessRig(
  opts: { name: string; env?: Record<string, string> },
  ready: (rig: WorkerProcessRig) => void,
): void {
  const temporalAddress = process.env.TEMPORAL_ADDRESS;
  const smtpUrl = process.env.SMTP_URL;
  if (!temporalAddress || !smtpUrl) throw new Error('TEMPORAL_ADDRESS / SMTP_URL are not set (test/global-setup.ts)');
  let db: TestDatabase | undefined;
  let connection: Connection | undefined;
  let namespace: { namespace: string; remove(): Promise<void> } | undefined;
  let dataDir: string | undefined;

  beforeAll(async () => {
    await ensureWorkerBuilt();
    db = await createTestDatabase(opts.name.replace(/-/g, '_'));
    connection = await Connection.connect({ address: temporalAddress });
    namespace = await createTestNamespace(connection, opts.name);
    dataDir = mkdtempSync(join(tmpdir(), `amtsweg-${opts.name}-`));
    ready({
      db,
      client: new Client({ connection, namespace: namespace.namespace, dataConverter: testDataConverter() }),
      workerEnv: {
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        LOG_FORMAT: 'json',
        DATA_DIR: dataDir,
        TEMPORAL_ADDRESS: temporalAddress,
        TEMPORAL_NAMESPACE: namespace.namespace,
        DATABASE_URL: db.url,
        SMTP_URL: smtpUrl,
        MAIL_FROM: 'amtsweg Test <noreply@amtsweg.test>',
        PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
        WORKER_METRICS_PORT: '0',
        ...opts.env,
      },
    });
  }, 120_000);

  afterAll(async () => {
    await killWorkerProcesses();
    await namespace?.remove();
    await connection?.close();
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
}
