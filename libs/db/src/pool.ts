import { Pool, types } from 'pg';

// NUMERIC (money) stays a string so no amount ever passes through a binary float; BIGINT too.
types.setTypeParser(types.builtins.NUMERIC, (v) => v);

export interface DbOptions {
  connectionString: string;
  max?: number;
  applicationName?: string;
}

/** One pg Pool per process; callers own its lifecycle (end() on shutdown). */
export function createPool(opts: DbOptions): Pool {
  return new Pool({
    connectionString: opts.connectionString,
    max: opts.max ?? 20,
    application_name: opts.applicationName ?? 'amtsweg',
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
  });
}
