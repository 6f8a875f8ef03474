import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { Pool } from 'pg';
import { migrate } from '../../libs/db/src/migrate';
import { createPool } from '../../libs/db/src/pool';

export interface TestDatabase {
  /** Connection URL of the new database (for code under test that takes a DATABASE_URL). */
  url: string;
  /** A pool on it; drop() ends it. */
  pool: Pool;
  /** Ends the pool and drops the database (also when clients are still connected). */
  drop(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env.TEST_PG_ADMIN_URL;
  if (!url) throw new Error('TEST_PG_ADMIN_URL is not set: run the tests through jest (test/global-setup.ts starts PostgreSQL)');
  return url;
}

async function asAdmin(sql: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, uniquely named and fully migrated database on the shared test server, so test files
 * never see each other's rows. Call drop() in afterAll.
 */
export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  const name = `${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await asAdmin(`CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  try {
    await migrate(url.toString());
  } catch (e) {
    await asAdmin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    throw e;
  }
  const pool = createPool({ connectionString: url.toString(), max: 10, applicationName: `amtsweg-test-${name}` });
  let dropped = false;
  return {
    url: url.toString(),
    pool,
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await pool.end();
      await asAdmin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
