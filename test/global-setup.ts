import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../libs/devstack/src/embedded-db';
import { startMailSink } from '../libs/devstack/src/mail-sink';
import { freePorts } from '../libs/devstack/src/ports';
import { startTemporalDevServer } from '../libs/devstack/src/temporal-dev-server';
import { ensureTemporalCli } from '../scripts/temporal-ensure';
import { ensureTestServer } from '../scripts/test-server-ensure';
import { STACK_FILE_ENV, stackFilePath } from './stack-file';
import type { TestStack } from './stack-file';

/** What global-teardown.ts needs; global setup and teardown run in the same (main) jest process. */
export interface RunningTestStack {
  dir: string;
  file: string;
  stop: Array<() => Promise<void>>;
}
declare global {
  var __AMTSWEG_TEST_STACK__: RunningTestStack | undefined;
}

const DIR_PREFIX = 'amtsweg-test-';
const log = (m: string) => process.stderr.write(`[test stack] ${m}\n`);

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the temp dirs of earlier runs that were killed before their teardown (their pid is gone). */
function removeAbandonedDirs(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(DIR_PREFIX)) continue;
    const dir = join(tmpdir(), name);
    try {
      const pid = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'));
      if (pid && !pidAlive(pid)) rmSync(dir, { recursive: true, force: true });
    } catch {
      // no owner file (yet): leave it alone
    }
  }
}

/**
 * Starts ONE Temporal dev server, ONE embedded PostgreSQL and ONE maildev for the whole jest run,
 * on free ports with their data in a temp dir, so a developer's running `npm start` (7233, 5432,
 * 1025) is never touched. Test files reach them through the variables test/setup-env.ts sets.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  removeAbandonedDirs();
  const [cliPath, testServerPath] = await Promise.all([ensureTemporalCli({ requireBinary: true, log }), ensureTestServer({ log })]);

  const dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
  chmodSync(dir, 0o755); // PostgreSQL runs as user "postgres" when we are root and must enter it
  writeFileSync(join(dir, 'owner.pid'), String(process.pid));
  const running: RunningTestStack = { dir, file: stackFilePath(), stop: [] };
  globalThis.__AMTSWEG_TEST_STACK__ = running;

  const [temporalPort, pgPort, smtpPort, webPort] = (await freePorts(4)) as [number, number, number, number];
  // Remembers each server that did start, so that teardown (or a failed sibling) stops it.
  const track = <T extends { stop(): Promise<void> }>(p: Promise<T>): Promise<T> =>
    p.then((h) => {
      running.stop.push(() => h.stop());
      return h;
    });
  const results = await Promise.allSettled([
    track(startTemporalDevServer({ cliPath, dataDir: join(dir, 'temporal'), logFile: join(dir, 'logs', 'temporal.log'), port: temporalPort })),
    track(
      startEmbeddedPostgres({
        dataDir: join(dir, 'postgres'),
        port: pgPort,
        user: 'postgres',
        password: 'postgres',
        logFile: join(dir, 'logs', 'postgres.log'),
        fast: true,
      }),
    ),
    track(startMailSink({ smtpPort, webPort, mailDir: join(dir, 'mail'), logFile: join(dir, 'logs', 'mail.log') })),
  ]);
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length > 0) {
    await Promise.allSettled(running.stop.map((s) => s()));
    throw new Error(`the test servers did not start (logs in ${dir}/logs):\n${failed.map((f) => String(f.reason?.stack ?? f.reason)).join('\n')}`);
  }
  const [temporal, pg, mail] = results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [
    Awaited<ReturnType<typeof startTemporalDevServer>>,
    Awaited<ReturnType<typeof startEmbeddedPostgres>>,
    Awaited<ReturnType<typeof startMailSink>>,
  ];

  const stack: TestStack = {
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    TEST_PG_ADMIN_URL: pg.url('postgres'),
    SMTP_URL: mail.smtpUrl,
    MAIL_API_URL: mail.webUrl,
    TEMPORAL_CLI_PATH: cliPath,
    TEMPORAL_TEST_SERVER_PATH: testServerPath,
  };
  writeFileSync(running.file, JSON.stringify(stack, null, 2));
  // Test processes (jest workers, or this process with --runInBand) inherit the variable.
  process.env[STACK_FILE_ENV] = running.file;
  log(`Temporal ${temporal.address}, PostgreSQL :${pg.port}, mail ${mail.smtpUrl} / ${mail.webUrl} up in ${((Date.now() - started) / 1000).toFixed(1)} s (${dir})`);
}
