import type { NestExpressApplication } from '@nestjs/platform-express';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import request from 'supertest';
import { startSandbox } from '../../../sandbox/src/sandbox';
import type { RunningSandbox } from '../../../sandbox/src/sandbox';
import { createWorkers, startWorkers } from '../../../worker/src/workers';
import { signDevToken } from '../../../../libs/auth/src/dev-tokens';
import type { Principal } from '../../../../libs/auth/src/principal';
import { FACHVERFAHREN_SANDBOX_SECRET_DEFAULT, loadConfig } from '../../../../libs/config/src/config';
import { freePort } from '../../../../libs/devstack/src/ports';
import { createPool } from '../../../../libs/db/src/pool';
import { createMailTransport } from '../../../../libs/mail/src/transport';
import { createTemporalClient } from '../../../../libs/temporal/src/connection';
import { piiGuardInterceptor } from '../../../../libs/temporal/src/pii-guard';
import { createTestDatabase } from '../../../../test/support/db';
import type { TestDatabase } from '../../../../test/support/db';
import { TEST_PAYLOAD_KEYS, testDataConverter } from '../../../../test/support/temporal';
import { TemporalClientHolder } from '../infrastructure/temporal-client.holder';
import { createTestApp, testConfig } from './test-app';

/** GET /api/v1/cases/{caseId} as the tests read it. */
export interface CaseView {
  caseId: string;
  caseNumber: string;
  type: string;
  status: string;
  statusText: string;
  timeline: Array<{ at: string; status: string | null; text: string; audience?: string }>;
  openRequests: Array<{ requestId: string; kind: string; text: string; dueBy: string | null }>;
  documents: Array<{ documentId: string; name: string; mediaType: string; size: number; sha256: string; requestId: string | null }>;
  decision?: Record<string, unknown>;
}

/** The smallest PDF the upload accepts. */
export const TEST_PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n', 'latin1');

export interface ApplicationsStack<Who extends string> {
  db: TestDatabase;
  app: NestExpressApplication;
  /** The sandbox Fachverfahren (registers, payment provider, § 14 recipients) over real HTTP. */
  sandbox: RunningSandbox;
  /** The run's Temporal server address and namespace (for a client of the test's own). */
  temporal: { address: string; namespace: string };
  /** A dev token per person (Authorization: Bearer …). */
  tokens: Record<Who, string>;
  http(): ReturnType<typeof request>;
  get(who: Who, path: string): request.Test;
  /** POST as `who`, with a JSON body when given. */
  post(who: Who, path: string, body?: object): request.Test;
  /** Polls GET /cases/{caseId} as `who` until the predicate holds (or fails with what it saw last). */
  caseWhen(who: Who, caseId: string, predicate: (c: CaseView) => boolean, what: string, timeoutMs?: number): Promise<CaseView>;
  /** Stops the workers, the API, the sandbox and the mail transport; drops the database. */
  stop(): Promise<void>;
}

/**
 * One application process end to end through the API, shared by the applications' integration
 * tests (Bewohnerparken, Wohngeld, Gewerbeanmeldung) so they differ only in what they test:
 * supertest on the in-process API, the run's Temporal dev server, in-process workers with the
 * production wiring (createWorkers, real activities, encrypted payloads) on the given queues, a
 * fresh PostgreSQL database, the SMTP sink and the sandbox over real HTTP. `listen`: the API also
 * listens on a port and the sandbox calls back to it (signed payment callbacks).
 */
export async function startApplicationsStack<Who extends string>(opts: {
  dbPrefix: string;
  taskQueues: string[];
  people: Record<Who, Principal>;
  listen?: boolean;
}): Promise<ApplicationsStack<Who>> {
  const address = process.env.TEMPORAL_ADDRESS;
  const smtpUrl = process.env.SMTP_URL;
  if (!address || !smtpUrl) throw new Error('TEMPORAL_ADDRESS / SMTP_URL are not set (test/global-setup.ts)');
  const namespace = process.env.TEMPORAL_NAMESPACE || 'default';
  const stops: Array<() => Promise<unknown> | unknown> = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s();
  };
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    const db = await createTestDatabase(opts.dbPrefix);
    stops.push(() => db.drop());
    const appPool = createPool({ connectionString: db.url, max: 5 });
    const transport = createMailTransport(smtpUrl);
    stops.push(() => transport.close());
    const sandboxPort = await freePort();
    const env = { NODE_ENV: 'test', DATABASE_URL: db.url, SMTP_URL: smtpUrl, TEMPORAL_ADDRESS: address, SANDBOX_PORT: String(sandboxPort), PAYLOAD_KEYS: TEST_PAYLOAD_KEYS };
    const config = loadConfig({ ...env, LOG_LEVEL: 'silent' });
    const dataConverter = testDataConverter();

    const app = await createTestApp(
      { DATABASE_URL: db.url, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace, SANDBOX_PORT: String(sandboxPort) },
      { pool: appPool, connectTemporal: () => createTemporalClient({ address, namespace, dataConverter, interceptors: { workflow: [piiGuardInterceptor()] } }) },
    );
    stops.push(() => app.close()); // ends appPool
    let callbackUrl: string | undefined;
    if (opts.listen) {
      await app.listen(0, '127.0.0.1');
      callbackUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    }
    const sandbox = await startSandbox({ port: sandboxPort, defaultSecret: FACHVERFAHREN_SANDBOX_SECRET_DEFAULT, callbackUrl, delayMs: [2, 10] });
    stops.push(() => sandbox.stop());

    const connection = await NativeConnection.connect({ address });
    stops.push(() => connection.close());
    const workers = await createWorkers(
      { pool: db.pool, mail: { transport, from: 'amtsweg Test <noreply@amtsweg.test>' }, config },
      { connection, namespace, taskQueues: opts.taskQueues, dataConverter, shutdownGraceTime: '2 seconds' },
    );
    const running = startWorkers(workers);
    stops.push(() => running.stop());

    const holder = app.get(TemporalClientHolder);
    for (let i = 0; i < 100 && !holder.isConnected; i++) await new Promise((r) => setTimeout(r, 100));
    const secret = testConfig().DEV_JWT_SECRET;
    const tokens = {} as Record<Who, string>;
    for (const who of Object.keys(opts.people) as Who[]) tokens[who] = (await signDevToken(secret, opts.people[who], 3600)).access_token;

    const http = () => request(app.getHttpServer());
    const get = (who: Who, path: string) => http().get(`/api/v1${path}`).set('Authorization', `Bearer ${tokens[who]}`);
    return {
      db,
      app,
      sandbox,
      temporal: { address, namespace },
      tokens,
      http,
      get,
      post: (who, path, body) => {
        const r = http().post(`/api/v1${path}`).set('Authorization', `Bearer ${tokens[who]}`);
        return body === undefined ? r : r.send(body);
      },
      async caseWhen(who, caseId, predicate, what, timeoutMs = 30_000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const res = await get(who, `/cases/${caseId}`);
          if (res.status !== 200) throw new Error(`GET /cases/${caseId} as ${who}: ${res.status} ${JSON.stringify(res.body)}`);
          const view = res.body as CaseView;
          if (predicate(view)) return view;
          if (Date.now() > deadline) throw new Error(`case ${caseId}: ${what} did not happen; last seen ${JSON.stringify({ status: view.status, statusText: view.statusText, openRequests: view.openRequests, timeline: view.timeline.map((e) => e.text.slice(0, 60)) })}`);
          await new Promise((r) => setTimeout(r, 150));
        }
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
