/**
 * `npm start`: the whole of amtsweg on one machine. In order: the Temporal dev server (unless
 * TEMPORAL_ADDRESS is set), an embedded PostgreSQL (unless DATABASE_URL is set), the maildev mail
 * sink (unless SMTP_URL is set), the database migrations, then the worker and the API as child
 * processes. Waits for GET /health, prints where everything is, and on Ctrl-C / SIGTERM stops it
 * all in reverse order (the worker drains its tasks first) so no process or port is left behind.
 *
 * Data lives in DATA_DIR (default .data/): a second start reuses it, deleting it resets everything.
 * Compiled by scripts/build.js to dist/scripts/start-all.js.
 */
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig } from '../libs/config/src/config';
import type { AppConfig } from '../libs/config/src/config';
import { repoRoot } from '../libs/config/src/paths';
import { migrate } from '../libs/db/src/migrate';
import { consoleLines, prefixed, problemsOnly, useColour } from '../libs/devstack/src/console-output';
import { startEmbeddedPostgres } from '../libs/devstack/src/embedded-db';
import { startMailSink } from '../libs/devstack/src/mail-sink';
import { sandboxOptionsFromConfig, startSandbox } from '../apps/sandbox/src';
import { isPortFree } from '../libs/devstack/src/ports';
import { startProcess, stripAnsi, waitUntil } from '../libs/devstack/src/process';
import type { ManagedProcess } from '../libs/devstack/src/process';
import { startTemporalDevServer } from '../libs/devstack/src/temporal-dev-server';
import type * as TemporalEnsure from './temporal-ensure';

const TEMPORAL_PORT = 7233;
const SMTP_PORT = 1025;
const DEFAULT_PG_PORT = 5432;
const HEALTH_TIMEOUT_MS = 120_000;

// The console may go away (a closed terminal, `npm start | head`): a failed write must never
// crash the orchestrator, whose exit would SIGKILL the children instead of stopping them in order.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

/** The orchestrator's own messages: console and DATA_DIR/logs/start.log. */
let startLog: string | undefined;
function say(m: string): void {
  process.stdout.write(`${prefixed('start', m)}\n`);
  if (startLog) appendFileSync(startLog, `${new Date().toISOString()} ${stripAnsi(m)}\n`);
}

/** Something started that must be stopped again, newest first on the way down. */
interface Stoppable {
  name: string;
  stop(): Promise<unknown>;
}

class StartError extends Error {}

// Everything started so far, newest last. Signal handlers are installed before the first start, so
// a Ctrl-C during start-up (a long Go build, a slow initdb) also stops cleanly.
const stack: Stoppable[] = [];
let shuttingDown: Promise<void> | undefined;

function shutdown(reason: string, code: number): Promise<void> {
  shuttingDown ??= (async () => {
    say(`${reason}: stopping ${[...stack].reverse().map((s) => s.name).join(', ') || 'nothing started yet'} ...`);
    for (const s of [...stack].reverse()) {
      const t = Date.now();
      try {
        await s.stop();
        say(`stopped ${s.name} (${Date.now() - t} ms)`);
      } catch (e) {
        say(`stopping ${s.name} failed: ${(e as Error).message}`);
      }
    }
    process.exit(code);
  })();
  return shuttingDown;
}

// Ctrl-C reaches us twice: from the terminal (we share npm's process group) and forwarded by npm.
// So a repeat within a second is the same request; a later one means "stop waiting, kill it all".
let firstSignalAt = 0;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    if (!firstSignalAt) {
      firstSignalAt = Date.now();
      void shutdown(`${sig} received`, 0);
    } else if (Date.now() - firstSignalAt > 1_000) {
      say(`${sig} again: killing everything now`);
      process.exit(130); // process.ts's exit hook SIGKILLs every child process group
    }
  });
}

async function requireFreePort(port: number, what: string, hint: string): Promise<void> {
  if (!(await isPortFree(port))) throw new StartError(`port ${port} (${what}) is already in use: is another \`npm start\` running? ${hint}`);
}

function redactPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const root = repoRoot(__dirname);

  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`amtsweg: ${e.message}\nNothing was started.\n`);
      process.exit(1);
    }
    throw e;
  }
  const dataDir = resolve(root, config.DATA_DIR);
  const logsDir = join(dataDir, 'logs');
  const logFile = (name: string) => join(logsDir, `${name}.log`);
  mkdirSync(logsDir, { recursive: true });
  startLog = logFile('start');
  say(`starting amtsweg (DATA_DIR ${dataDir})`);
  const apiEntry = join(root, 'dist/apps/api/src/main.js');
  const workerEntry = join(root, 'dist/apps/worker/src/main.js');
  for (const entry of [apiEntry, workerEntry]) {
    if (!existsSync(entry)) throw new StartError(`${entry} is missing: run \`npm run build\` (npm start does it first)`);
  }

  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
  // The children's stdout is a pipe, not a terminal: ask for readable logs unless told otherwise.
  env.LOG_FORMAT ??= 'pretty';
  if (useColour()) env.FORCE_COLOR ??= '1';

  // --- Temporal --------------------------------------------------------------------------------
  let temporalUi: string | undefined;
  if (process.env.TEMPORAL_ADDRESS) {
    say(`Temporal: using TEMPORAL_ADDRESS=${process.env.TEMPORAL_ADDRESS}`);
  } else {
    await requireFreePort(TEMPORAL_PORT, 'Temporal frontend', 'To use a Temporal server that is already running, set TEMPORAL_ADDRESS=localhost:7233.');
    await requireFreePort(config.TEMPORAL_UI_PORT, 'Temporal Web UI', 'Set TEMPORAL_UI_PORT to another port.');
    // The script is plain CommonJS next to this file's source, not compiled into dist/.
    const loadScript = createRequire(join(root, 'package.json'));
    const { ensureTemporalCli } = loadScript('./scripts/temporal-ensure.js') as typeof TemporalEnsure;
    const cliPath = await ensureTemporalCli({ requireBinary: true, log: (m) => say(m) });
    const t = Date.now();
    // Payloads are always encrypted (PAYLOAD_KEYS, or DATA_DIR/payload-keys): the Web UI decodes them
    // through the API's codec endpoint (staff only; in AUTH_MODE=dev the local UI needs no token).
    const uiCodecEndpoint = process.env.TEMPORAL_UI_CODEC_ENDPOINT || `${config.PUBLIC_BASE_URL.replace(/\/+$/, '')}/codec`;
    const temporal = await startTemporalDevServer({
      cliPath,
      dataDir: join(dataDir, 'temporal'),
      logFile: logFile('temporal'),
      port: TEMPORAL_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      uiCodecEndpoint,
      namespace: config.TEMPORAL_NAMESPACE,
      onLine: consoleLines('temporal', problemsOnly),
    });
    stack.push({ name: 'temporal', stop: () => temporal.stop() });
    env.TEMPORAL_ADDRESS = temporal.address;
    temporalUi = temporal.uiUrl;
    say(`Temporal dev server up on ${temporal.address} (${Date.now() - t} ms)`);
  }

  // --- PostgreSQL ------------------------------------------------------------------------------
  let pgUrl: string;
  if (process.env.DATABASE_URL) {
    pgUrl = process.env.DATABASE_URL;
    say(`PostgreSQL: using DATABASE_URL=${redactPassword(pgUrl)}`);
  } else {
    const port = Number(process.env.EMBEDDED_PG_PORT || DEFAULT_PG_PORT);
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new StartError(`EMBEDDED_PG_PORT=${process.env.EMBEDDED_PG_PORT} is not a port number`);
    await requireFreePort(port, 'embedded PostgreSQL', 'Set EMBEDDED_PG_PORT to another port, or DATABASE_URL to use a running PostgreSQL.');
    const t = Date.now();
    const fresh = !existsSync(join(dataDir, 'postgres', 'PG_VERSION'));
    const pg = await startEmbeddedPostgres({
      dataDir: join(dataDir, 'postgres'),
      port,
      user: 'amtsweg',
      password: 'amtsweg',
      database: 'amtsweg',
      logFile: logFile('postgres'),
      onLine: consoleLines('postgres', problemsOnly),
    });
    stack.push({ name: 'postgres', stop: () => pg.stop() });
    pgUrl = pg.url('amtsweg');
    env.DATABASE_URL = pgUrl;
    say(`embedded PostgreSQL up on port ${port}${fresh ? ' (new cluster)' : ''} (${Date.now() - t} ms)`);
  }

  // --- Mail sink -------------------------------------------------------------------------------
  let mailUi: string | undefined;
  if (process.env.SMTP_URL) {
    say(`Mail: using SMTP_URL=${redactPassword(process.env.SMTP_URL)}`);
  } else {
    await requireFreePort(SMTP_PORT, 'mail sink SMTP', 'Set SMTP_URL to use another SMTP server.');
    await requireFreePort(config.MAIL_WEB_PORT, 'mail sink web UI', 'Set MAIL_WEB_PORT to another port.');
    const mail = await startMailSink({
      smtpPort: SMTP_PORT,
      webPort: config.MAIL_WEB_PORT,
      mailDir: join(dataDir, 'mail'),
      logFile: logFile('mail'),
      onLine: consoleLines('mail', problemsOnly),
    });
    stack.push({ name: 'mail', stop: () => mail.stop() });
    env.SMTP_URL = mail.smtpUrl;
    mailUi = mail.webUrl;
    say(`mail sink up: SMTP ${mail.smtpUrl}, web ${mail.webUrl}`);
  }

  // --- Migrations ------------------------------------------------------------------------------
  {
    const t = Date.now();
    const applied = await migrate(pgUrl, (m) => process.stdout.write(`${prefixed('migrate', m)}\n`));
    say(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')} (${Date.now() - t} ms)` : `database schema is up to date (${Date.now() - t} ms)`);
  }

  // --- Sandbox Fachverfahren (a SIMULATOR) -----------------------------------------------------
  // Without FACHVERFAHREN_ADAPTERS every adapter points at the sandbox, so it must run for the
  // processes to reach "their" specialist systems locally. Real adapters configured → not started.
  let sandboxUrl: string | undefined;
  if (!process.env.FACHVERFAHREN_ADAPTERS) {
    await requireFreePort(config.SANDBOX_PORT, 'sandbox Fachverfahren', 'Set SANDBOX_PORT to another port.');
    const sandbox = await startSandbox({ ...sandboxOptionsFromConfig({ ...config, DATA_DIR: dataDir }), log: consoleLines('sandbox') });
    stack.push({ name: 'sandbox', stop: () => sandbox.stop() });
    sandboxUrl = sandbox.url;
    say(`sandbox Fachverfahren (simulator) up: ${sandbox.url}`);
  }

  // --- Worker and API --------------------------------------------------------------------------
  await requireFreePort(config.PORT, 'API', 'Set PORT to another port.');
  if (config.WORKER_METRICS_PORT > 0) await requireFreePort(config.WORKER_METRICS_PORT, 'worker metrics', 'Set WORKER_METRICS_PORT to another port (0 turns it off).');
  const node = (name: 'worker' | 'api', entry: string): ManagedProcess =>
    startProcess({
      name,
      command: process.execPath,
      args: ['--enable-source-maps', entry],
      cwd: root,
      env,
      logFile: logFile(name),
      onLine: consoleLines(name),
      // The worker drains: running activities get their grace time before it exits.
      stopTimeoutMs: name === 'worker' ? 60_000 : 15_000,
    });
  const worker = node('worker', workerEntry);
  stack.push({ name: 'worker', stop: () => worker.stop() });
  const api = node('api', apiEntry);
  stack.push({ name: 'api', stop: () => api.stop() });

  // A child that dies on its own takes the rest down with it, so a broken start never looks healthy.
  for (const p of [worker, api]) {
    void p.exited.then((info) => {
      if (!shuttingDown) void shutdown(`${p.name} exited (${info.signal ?? `code ${info.code}`}); see ${p.logFile}`, 1);
    });
  }

  const healthUrl = `http://localhost:${config.PORT}/health`;
  let lastHealth = '';
  await waitUntil(
    async () => {
      const res = await fetch(healthUrl, { signal: AbortSignal.timeout(5_000) });
      lastHealth = `${res.status} ${await res.text()}`;
      return res.status === 200;
    },
    { what: `GET ${healthUrl} to answer 200 (last answer: ${lastHealth || 'none'})`, timeoutMs: HEALTH_TIMEOUT_MS, intervalMs: 500, process: api },
  );
  if (!worker.isRunning()) return; // the exit handler above is already shutting down

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const base = `http://localhost:${config.PORT}`;
  const rows: [string, string][] = [
    ['API', `${base}/api/v1`],
    ['API docs', `${base}/docs`],
    ['Health', healthUrl],
    ['Temporal UI', temporalUi ?? `(external Temporal at ${env.TEMPORAL_ADDRESS})`],
    ['Temporal', `${env.TEMPORAL_ADDRESS} namespace ${config.TEMPORAL_NAMESPACE}`],
    ['Mail UI', mailUi ? `${mailUi}  (JSON: ${mailUi}/email, SMTP ${env.SMTP_URL})` : `(external SMTP ${redactPassword(env.SMTP_URL ?? '')})`],
    ['PostgreSQL', process.env.DATABASE_URL ? redactPassword(pgUrl) : pgUrl],
    ['Fachverfahren', sandboxUrl ? `${sandboxUrl}  (SIMULATOR; payment pages at ${sandboxUrl}/pay/{paymentId})` : '(FACHVERFAHREN_ADAPTERS)'],
    ['Worker metrics', config.WORKER_METRICS_PORT > 0 ? `http://127.0.0.1:${config.WORKER_METRICS_PORT}/metrics` : 'off'],
    ['Payload codec', `${base}/codec  (Temporal UI decrypts through it; key: ${config.PAYLOAD_KEYS ? 'PAYLOAD_KEYS' : join(dataDir, 'payload-keys')})`],
    ['Data', `${dataDir}  (delete it to start afresh)`],
    ['Logs', `${logsDir}/*.log`],
  ];
  const table = rows.map(([k, v]) => `    ${k.padEnd(15)} ${v}`).join('\n');
  process.stdout.write(`\n  amtsweg is up — healthy after ${seconds} s\n\n${table}\n\n  Ctrl-C stops everything.\n\n`);
  if (startLog) appendFileSync(startLog, `${new Date().toISOString()} healthy after ${seconds} s\n${table}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`\namtsweg: could not start: ${e instanceof StartError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  void shutdown('start-up failed', 1);
});
