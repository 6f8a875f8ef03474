import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { MIGRATIONS_TABLE, migrate, migrationsDir, pendingMigrations } from './migrate';

// Integration test against the shared embedded PostgreSQL (test/global-setup.ts). Each test gets its
// own empty database, created here rather than through test/support/db.ts because that helper
// already runs the migrations we want to watch.
const adminUrl = process.env.TEST_PG_ADMIN_URL;
if (!adminUrl) throw new Error('TEST_PG_ADMIN_URL is not set (test/global-setup.ts starts PostgreSQL)');

const created: string[] = [];

async function admin<T>(fn: (c: Client) => Promise<T>, url: string = adminUrl as string): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function freshDatabase(): Promise<string> {
  const name = `migrate_${randomUUID().replace(/-/g, '')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  created.push(name);
  const url = new URL(adminUrl as string);
  url.pathname = `/${name}`;
  return url.toString();
}

async function tables(url: string): Promise<string[]> {
  return admin(async (c) => {
    const r = await c.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    return r.rows.map((row) => row.table_name);
  }, url);
}

async function appliedNames(url: string): Promise<string[]> {
  return admin(async (c) => (await c.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY id`)).rows.map((r) => r.name), url);
}

const allMigrations = readdirSync(migrationsDir())
  .filter((f) => f.endsWith('.sql'))
  .map((f) => f.replace(/\.sql$/, ''))
  .sort();

afterAll(async () => {
  for (const name of created) {
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
});

describe('migrate', () => {
  it('applies every migration to a fresh database and creates the foundation tables', async () => {
    const url = await freshDatabase();
    const pool = new Pool({ connectionString: url, max: 1 });
    try {
      expect(await pendingMigrations(pool)).toEqual(allMigrations);
    } finally {
      await pool.end();
    }
    const logs: string[] = [];
    const applied = await migrate(url, (m) => logs.push(m));

    expect(allMigrations.length).toBeGreaterThan(0);
    expect(applied).toEqual(allMigrations);
    expect(await appliedNames(url)).toEqual(allMigrations);
    expect(await tables(url)).toEqual(expect.arrayContaining(['idempotency_keys', 'mail_log', MIGRATIONS_TABLE]));
    expect(logs.join('\n')).toMatch(/init/);

    // The SQL file's down section must not have run as part of "up".
    await admin(async (c) => {
      await c.query("INSERT INTO mail_log (message_id) VALUES ('<probe@amtsweg>')");
      const r = await c.query<{ status: string; attempts: number }>("SELECT status, attempts FROM mail_log WHERE message_id = '<probe@amtsweg>'");
      expect(r.rows).toEqual([{ status: 'pending', attempts: 0 }]);
      await expect(c.query("UPDATE mail_log SET status = 'sent'")).rejects.toThrow(/check constraint/);
    }, url);
  });

  it('is a no-op when run again', async () => {
    const url = await freshDatabase();
    await migrate(url);
    const before = await admin(async (c) => (await c.query(`SELECT id, name, run_on FROM ${MIGRATIONS_TABLE} ORDER BY id`)).rows, url);

    await expect(migrate(url)).resolves.toEqual([]);
    const pool = new Pool({ connectionString: url, max: 1 });
    try {
      expect(await pendingMigrations(pool)).toEqual([]);
    } finally {
      await pool.end();
    }

    const after = await admin(async (c) => (await c.query(`SELECT id, name, run_on FROM ${MIGRATIONS_TABLE} ORDER BY id`)).rows, url);
    expect(after).toEqual(before);
  });

  it('lets concurrent callers (API and worker booting together) apply each migration exactly once', async () => {
    const url = await freshDatabase();
    const results = await Promise.all([migrate(url), migrate(url), migrate(url)]);

    // Exactly one caller applied the migrations; the others waited on the advisory lock and found nothing to do.
    expect(results.flat().sort()).toEqual(allMigrations);
    expect(results.filter((r) => r.length > 0)).toHaveLength(1);
    expect(await appliedNames(url)).toEqual(allMigrations);
  });

  it('applies pending migrations in one transaction: a failing file leaves nothing behind', async () => {
    const url = await freshDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'amtsweg-migrations-'));
    try {
      writeFileSync(join(dir, '1000000000000_good.sql'), '-- Up Migration\nCREATE TABLE good_one (id int);\n-- Down Migration\nDROP TABLE good_one;\n');
      writeFileSync(join(dir, '1000000000001_bad.sql'), '-- Up Migration\nCREATE TABLE bad_one (id int REFERENCES no_such_table (id));\n');

      await expect(migrate(url, undefined, { dir })).rejects.toThrow(/no_such_table/);
      const left = await tables(url);
      expect(left).not.toContain('good_one');
      expect(left).not.toContain('bad_one');

      // Fixing the broken file lets the next run apply both, in order.
      writeFileSync(join(dir, '1000000000001_bad.sql'), '-- Up Migration\nCREATE TABLE bad_one (id int);\n');
      await expect(migrate(url, undefined, { dir })).resolves.toEqual(['1000000000000_good', '1000000000001_bad']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
