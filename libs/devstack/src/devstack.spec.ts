import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import nodemailer from 'nodemailer';
import { Client } from 'pg';
import { SEARCH_ATTRIBUTES } from '../../temporal/src/search-attributes';
import { waitForMails } from '../../../test/support/mail';
import { canConnect, freePort, isPortFree } from './ports';
import { startProcess, waitUntil } from './process';

// The launchers, checked against the servers test/global-setup.ts started with them (the shared
// PostgreSQL, maildev and Temporal dev server), plus the process helper on its own.

describe('embedded PostgreSQL (shared test server)', () => {
  it('answers select 1 as a superuser', async () => {
    const client = new Client({ connectionString: process.env.TEST_PG_ADMIN_URL });
    await client.connect();
    try {
      const r = await client.query<{ one: number; superuser: string }>("select 1 as one, current_setting('is_superuser') as superuser");
      expect(r.rows[0]).toEqual({ one: 1, superuser: 'on' });
    } finally {
      await client.end();
    }
  });
});

describe('mail sink (maildev)', () => {
  it('shows a mail sent over SMTP by nodemailer in GET /email', async () => {
    const to = `test-${randomUUID()}@example.org`;
    const transport = nodemailer.createTransport(process.env.SMTP_URL);
    try {
      await transport.sendMail({ from: 'amtsweg <noreply@amtsweg.test>', to, subject: 'Ihr Termin – Bestätigung', text: 'Grüße aus Berlin' });
    } finally {
      transport.close();
    }
    const [mail] = await waitForMails((m) => m.to?.some((t) => t.address === to) ?? false, { timeoutMs: 10_000 });
    expect(mail?.subject).toBe('Ihr Termin – Bestätigung');
    expect(mail?.text?.trim()).toBe('Grüße aus Berlin');
  });
});

describe('Temporal dev server (shared test server)', () => {
  it('has the amtsweg search attributes registered', async () => {
    const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
    try {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' });
      for (const name of Object.keys(SEARCH_ATTRIBUTES)) expect(customAttributes?.[name]).toBeDefined();
    } finally {
      await connection.close();
    }
  });
});

describe('process helper', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'amtsweg-proc-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const node = (source: string) => [process.execPath, ['-e', source]] as const;

  it('logs output to a file and stops a process gracefully with SIGTERM', async () => {
    const port = await freePort();
    const [cmd, args] = node(`
      const srv = require('node:net').createServer().listen(${port}, '127.0.0.1', () => console.log('listening'));
      process.on('SIGTERM', () => { console.log('draining'); srv.close(() => process.exit(0)); });`);
    const p = startProcess({ name: 'srv', command: cmd, args: [...args], logFile: join(dir, 'srv.log') });
    await waitUntil(() => canConnect(port), { what: 'the test server', timeoutMs: 10_000, process: p });

    const exit = await p.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(await isPortFree(port)).toBe(true);
    const log = readFileSync(join(dir, 'srv.log'), 'utf8');
    expect(log).toMatch(/listening/);
    expect(log).toMatch(/draining/);
  });

  it('kills a process that ignores SIGTERM after the timeout', async () => {
    const [cmd, args] = node(`process.on('SIGTERM', () => console.log('ignoring')); console.log('up'); setInterval(() => {}, 1000);`);
    const p = startProcess({ name: 'stubborn', command: cmd, args: [...args], logFile: join(dir, 'stubborn.log'), stopTimeoutMs: 500 });
    await waitUntil(async () => p.tail().includes('up'), { what: 'output', timeoutMs: 10_000 });
    const started = Date.now();
    const exit = await p.stop();
    expect(exit.signal).toBe('SIGKILL');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(p.isRunning()).toBe(false);
  });

  it('fails a wait at once with the last output when the process dies', async () => {
    const [cmd, args] = node(`console.error('FATAL: lock file "postmaster.pid" already exists'); process.exit(3);`);
    const p = startProcess({ name: 'dies', command: cmd, args: [...args], logFile: join(dir, 'dies.log') });
    await expect(waitUntil(async () => false, { what: 'a port that never opens', timeoutMs: 30_000, process: p })).rejects.toThrow(/dies exited.*\n.*postmaster\.pid/);
  });
});
