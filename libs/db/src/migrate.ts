import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RunnerOption } from 'node-pg-migrate/dist/bundle/index';
import type { Pool } from 'pg';
import { repoRoot } from '../../config/src/paths';

/** The table node-pg-migrate records applied migrations in. */
export const MIGRATIONS_TABLE = 'pgmigrations';

/** Where the SQL migrations live: `<repoRoot>/migrations/<timestamp>_<name>.sql`. */
export function migrationsDir(): string {
  return join(repoRoot(), 'migrations');
}

export interface MigrateOptions {
  /** Defaults to migrationsDir(). */
  dir?: string;
}

/** What runs inside the worker thread (the options must be structured-cloneable: no functions). */
type RunnerConfig = Omit<RunnerOption, 'log' | 'logger' | 'dbClient'> & { databaseUrl: string };

type FromRunner = { log: string } | { done: string[] } | { error: string };

/*
 * node-pg-migrate 9 is an ES module. Plain Node >= 20.19 could require() it, but jest's module
 * sandbox cannot (it would need --experimental-vm-modules or transforming node_modules), and the
 * tests call migrate() from jest. A worker thread is a plain Node environment in every case, so the
 * runner is loaded there with a real `import()`. The cost (~50 ms, once per boot) is irrelevant
 * for migrations.
 */
const RUNNER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.runnerUrl)
  .then(({ runner }) => runner({ ...workerData.options, log: (m) => parentPort.postMessage({ log: String(m) }) }))
  .then(
    (ran) => parentPort.postMessage({ done: ran.map((m) => m.name) }),
    (e) => parentPort.postMessage({ error: (e && e.stack) || String(e) }),
  );
`;

/**
 * Applies every pending migration (SQL files with `-- Up Migration` / `-- Down Migration` markers)
 * to the database, in file-name order, all in one transaction.
 *
 * Safe to call from several processes at once (API and worker booting together, parallel test
 * files): node-pg-migrate takes a PostgreSQL advisory lock and, with advisoryLockMode 'wait', the
 * second caller waits for the first and then finds nothing left to do. Running it again is a no-op.
 *
 * Nobody runs this implicitly on boot: `npm start` runs it before starting API and worker, the
 * tests run it per fresh database, production runs `npm run migrate` (a release step) — so the
 * API and worker processes never alter the schema by themselves.
 *
 * @returns the names of the migrations applied by this call (empty when the schema was current).
 */
export async function migrate(databaseUrl: string, log: (m: string) => void = () => {}, opts: MigrateOptions = {}): Promise<string[]> {
  const options: RunnerConfig = {
    databaseUrl,
    dir: opts.dir ?? migrationsDir(),
    migrationsTable: MIGRATIONS_TABLE,
    direction: 'up',
    count: Infinity,
    checkOrder: true,
    singleTransaction: true,
    noLock: false,
    advisoryLockMode: 'wait',
    verbose: false,
  };
  const runnerUrl = pathToFileURL(require.resolve('node-pg-migrate')).href;

  return await new Promise<string[]>((resolve, reject) => {
    let settled = false;
    const worker = new Worker(RUNNER_SOURCE, { eval: true, workerData: { runnerUrl, options } });
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      fn();
      void worker.terminate();
    };
    worker.on('message', (m: FromRunner) => {
      if ('log' in m) log(m.log);
      else if ('done' in m) settle(() => resolve(m.done));
      else settle(() => reject(new Error(`Database migration failed: ${m.error}`)));
    });
    worker.on('error', (e) => settle(() => reject(e)));
    worker.on('exit', (code) => settle(() => reject(new Error(`Migration runner exited early (code ${code})`))));
  });
}

/**
 * Names of migrations in migrationsDir() that the database has not applied (all of them when the
 * migrations table does not exist yet). API and worker use it at boot to refuse a stale schema
 * with a clear message instead of failing later inside a request or an activity.
 */
export async function pendingMigrations(pool: Pick<Pool, 'query'>, dir: string = migrationsDir()): Promise<string[]> {
  const files = (await readdir(dir))
    .filter((f) => f.endsWith('.sql'))
    .map((f) => f.replace(/\.sql$/, ''))
    .sort();
  const exists = await pool.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [MIGRATIONS_TABLE]);
  if (!exists.rows[0]?.t) return files;
  const applied = new Set((await pool.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE}`)).rows.map((r) => r.name));
  return files.filter((f) => !applied.has(f));
}
