// What every end-to-end bench starts before it measures — Temporal, PostgreSQL and a mail sink of
// its own unless the environment names them, then the production worker and API as child
// processes — written once so the benches measure the same setup.
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../../libs/db/src/migrate';
import { startEmbeddedPostgres } from '../../libs/devstack/src/embedded-db';
import { startMailSink } from '../../libs/devstack/src/mail-sink';
import { freePort } from '../../libs/devstack/src/ports';
import { startProcess, waitUntil } from '../../libs/devstack/src/process';
import type { ManagedProcess } from '../../libs/devstack/src/process';
import { startTemporalDevServer } from '../../libs/devstack/src/temporal-dev-server';
import type * as TemporalEnsure from '../../scripts/temporal-ensure';

/** Where the dev server's SQLite file goes: a tmpfs (/dev/shm) unless BENCH_TEMPORAL_DIR says otherwise (`disk`: the temp dir). */
export const BENCH_TEMPORAL_DIR = process.env.BENCH_TEMPORAL_DIR ?? (existsSync('/dev/shm') ? '/dev/shm' : 'disk');
export const BENCH_DEV_SECRET = 'bench-dev-jwt-secret-0123456789abcdef0123456789';

/** Cleanups run first to last: put what must stop first at the front (unshift). */
export type Cleanup = Array<() => Promise<void>>;

/** A temp dir for the bench's servers and logs, removed by `cleanup` unless BENCH_KEEP_DIR is set. */
export function benchTempDir(name: string, cleanup: Cleanup, log: (m: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), `amtsweg-bench-${name}-`));
  chmodSync(dir, 0o755); // PostgreSQL runs as "postgres" when we are root
  cleanup.push(async () => {
    if (process.env.BENCH_KEEP_DIR) log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

export interface BenchInfrastructure {
  temporalAddress: string;
  /** How Temporal / PostgreSQL were provided, for the report. */
  temporal: string;
  databaseUrl: string;
  database: string;
  smtpUrl: string;
  /** maildev's web API (undefined when SMTP_URL was given without MAIL_WEB_URL). */
  mailWeb?: string;
}

/**
 * TEMPORAL_ADDRESS / DATABASE_URL / SMTP_URL (+ MAIL_WEB_URL when `needMailWeb`) if set, else a
 * Temporal dev server, an embedded PostgreSQL (fsync off) and maildev in `dir`; the database migrated.
 */
export async function startBenchInfrastructure(o: { root: string; dir: string; cleanup: Cleanup; log: (m: string) => void; needMailWeb?: boolean }): Promise<BenchInfrastructure> {
  const { root, dir, cleanup, log } = o;
  let temporalAddress = process.env.TEMPORAL_ADDRESS;
  let temporal = 'TEMPORAL_ADDRESS';
  if (!temporalAddress) {
    const loadScript = createRequire(join(root, 'package.json'));
    const { ensureTemporalCli } = loadScript('./scripts/temporal-ensure.js') as typeof TemporalEnsure;
    const cliPath = await ensureTemporalCli({ requireBinary: true, log });
    const port = await freePort();
    const tbase = BENCH_TEMPORAL_DIR === 'disk' ? undefined : BENCH_TEMPORAL_DIR;
    const tdir = tbase ? mkdtempSync(join(tbase, 'amtsweg-bench-temporal-')) : join(dir, 'temporal');
    if (tbase) cleanup.push(async () => rmSync(tdir, { recursive: true, force: true }));
    log(`starting a Temporal dev server on :${port} (${tdir})`);
    const t = await startTemporalDevServer({ cliPath, dataDir: tdir, logFile: join(dir, 'temporal.log'), port });
    cleanup.unshift(() => t.stop());
    temporalAddress = t.address;
    temporal = `dev server (SQLite in ${tbase ?? 'the temp dir'})`;
  }
  let databaseUrl = process.env.DATABASE_URL;
  let database = 'DATABASE_URL';
  if (!databaseUrl) {
    const port = await freePort();
    log(`starting an embedded PostgreSQL on :${port}`);
    const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port, user: 'postgres', password: 'postgres', database: 'amtsweg_bench', logFile: join(dir, 'postgres.log'), fast: true });
    cleanup.unshift(() => pg.stop());
    databaseUrl = pg.url('amtsweg_bench');
    database = 'embedded (fsync off)';
  }
  let smtpUrl = process.env.SMTP_URL;
  let mailWeb = process.env.MAIL_WEB_URL;
  if (!smtpUrl || (o.needMailWeb && !mailWeb)) {
    const [smtpPort, webPort] = [await freePort(), await freePort()];
    log(`starting maildev on :${smtpPort} (web :${webPort})`);
    const mail = await startMailSink({ smtpPort, webPort, mailDir: join(dir, 'mail'), logFile: join(dir, 'mail.log') });
    cleanup.unshift(() => mail.stop());
    smtpUrl = mail.smtpUrl;
    mailWeb = `http://127.0.0.1:${webPort}`;
  }
  await migrate(databaseUrl);
  return { temporalAddress, temporal, databaseUrl, database, smtpUrl, mailWeb };
}

/**
 * The production worker and API (dist/apps/*) as child processes on `infra`, AUTH_MODE=dev with
 * BENCH_DEV_SECRET, rate limits out of the way, `env` on top; stopped by `cleanup`. Resolves once
 * the API's /health answers 200.
 */
export async function startWorkerAndApi(o: {
  root: string;
  dir: string;
  cleanup: Cleanup;
  log: (m: string) => void;
  infra: BenchInfrastructure;
  payloadKeys: string;
  env?: NodeJS.ProcessEnv;
}): Promise<{ url: string; api: ManagedProcess; worker: ManagedProcess }> {
  const { root, dir, cleanup, infra } = o;
  const apiPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    DATA_DIR: join(dir, 'data'),
    PORT: String(apiPort),
    AUTH_MODE: 'dev',
    DEV_JWT_SECRET: BENCH_DEV_SECRET,
    TEMPORAL_ADDRESS: infra.temporalAddress,
    TEMPORAL_NAMESPACE: 'default',
    DATABASE_URL: infra.databaseUrl,
    SMTP_URL: infra.smtpUrl,
    PAYLOAD_KEYS: o.payloadKeys,
    WORKER_METRICS_PORT: '0',
    RATE_LIMIT_PUBLIC_PER_MINUTE: '1000000000',
    RATE_LIMIT_AUTHENTICATED_PER_MINUTE: '1000000000',
    ...o.env,
  };
  const child = (name: 'worker' | 'api'): ManagedProcess =>
    startProcess({ name, command: process.execPath, args: ['--enable-source-maps', join(root, `dist/apps/${name}/src/main.js`)], cwd: root, env, logFile: join(dir, `${name}.log`), stopTimeoutMs: 30_000 });
  const worker = child('worker');
  cleanup.unshift(async () => void (await worker.stop()));
  const api = child('api');
  cleanup.unshift(async () => void (await api.stop()));
  const url = `http://127.0.0.1:${apiPort}`;
  await waitUntil(async () => (await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) })).status === 200, { what: 'API /health 200', timeoutMs: 120_000, intervalMs: 500, process: api });
  o.log(`API up on ${url} (pid ${api.pid}), worker pid ${worker.pid}`);
  return { url, api, worker };
}
