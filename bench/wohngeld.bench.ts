/**
 * npm run bench:wohngeld — Wohngeld submissions through the API (issue #5, "Measure"): how many
 * applications per second get their case number (201 {caseId, caseNumber, status}) and the p95
 * latency of that answer.
 *
 * 1. Infrastructure: TEMPORAL_ADDRESS / DATABASE_URL / SMTP_URL if set, else a Temporal dev server
 *    (SQLite on /dev/shm unless BENCH_TEMPORAL_DIR says otherwise), an embedded PostgreSQL (fsync
 *    off) and maildev of its own.
 * 2. The production worker and API as child processes (dist/apps/*), AUTH_MODE=dev, rate limits out
 *    of the way. Each submission is real: update-with-start of `wohngeldApplication`, the case
 *    opened in PostgreSQL (gap-free case number), the receipt and the proof request mailed.
 * 3. Closed loop: BENCH_CONCURRENCY (default 32) submissions in flight for BENCH_DURATION s (default
 *    15) after BENCH_WARMUP s, rotating through BENCH_TOKENS (default 500) citizens, each submission
 *    with its own Idempotency-Key. The load generator runs in this process (fetch).
 * 4. Afterwards: every answered case exists with its number, and the processes reached the proof
 *    request (ACTION_REQUIRED) — the bench counts what it measured, not just HTTP 201s.
 * 5. Prints a table and writes bench/results/wohngeld-<time>.json.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { signDevToken } from '../libs/auth/src/dev-tokens';
import { repoRoot } from '../libs/config/src/paths';
import { migrate } from '../libs/db/src/migrate';
import { createPool } from '../libs/db/src/pool';
import { startEmbeddedPostgres } from '../libs/devstack/src/embedded-db';
import { startMailSink } from '../libs/devstack/src/mail-sink';
import { freePort } from '../libs/devstack/src/ports';
import { startProcess, waitUntil } from '../libs/devstack/src/process';
import type { ManagedProcess } from '../libs/devstack/src/process';
import { startTemporalDevServer } from '../libs/devstack/src/temporal-dev-server';
import { formatPayloadKeys, generatePayloadKey } from '../libs/temporal/src/payload-keys';
import type * as TemporalEnsure from '../scripts/temporal-ensure';

const DURATION = Number(process.env.BENCH_DURATION ?? 15);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const TOKENS = Number(process.env.BENCH_TOKENS ?? 500);
const TEMPORAL_DIR = process.env.BENCH_TEMPORAL_DIR ?? (existsSync('/dev/shm') ? '/dev/shm' : 'disk');
const DEV_SECRET = 'bench-dev-jwt-secret-0123456789abcdef0123456789';

const log = (m: string) => process.stderr.write(`[bench] ${new Date().toISOString().slice(11, 19)} ${m}\n`);
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

function pct(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

interface Sample {
  ok: boolean;
  status: number | string;
  ms: number;
  caseId?: string;
}

/** Closed loop: `concurrency` submissions in flight for `seconds`; each takes the next index. */
async function closedLoop(seconds: number, concurrency: number, call: (i: number) => Promise<{ status: number | string; caseId?: string }>, next: { i: number }): Promise<{ samples: Sample[]; seconds: number }> {
  const samples: Sample[] = [];
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        const r = await call(next.i++).catch((e: unknown) => ({ status: e instanceof Error ? e.message.slice(0, 80) : String(e), caseId: undefined }));
        samples.push({ ok: r.status === 201, status: r.status, ms: performance.now() - t, caseId: r.caseId });
      }
    }),
  );
  return { samples, seconds: (performance.now() - started) / 1000 };
}

function summarise(r: { samples: Sample[]; seconds: number }) {
  const ok = r.samples.filter((s) => s.ok);
  const statuses: Record<string, number> = {};
  for (const s of r.samples) statuses[String(s.status)] = (statuses[String(s.status)] ?? 0) + 1;
  return {
    submissionsPerSec: round(ok.length / r.seconds),
    ok: ok.length,
    total: r.samples.length,
    statuses,
    p50: round(pct(ok.map((s) => s.ms), 50)),
    p95: round(pct(ok.map((s) => s.ms), 95)),
    p99: round(pct(ok.map((s) => s.ms), 99)),
    max: round(pct(ok.map((s) => s.ms), 100)),
    seconds: round(r.seconds, 2),
  };
}

/** A household with rent and two earners: three proofs are requested. */
function application(i: number) {
  return {
    applicant: {
      givenName: 'Bench',
      familyName: `Bürgerin ${i}`,
      birthDate: '1980-05-17',
      email: `wohngeld-bench-${i}@example.org`,
      address: { street: 'Greifswalder Straße 4', postalCode: '10405', city: 'Berlin' },
      iban: 'DE89370400440532013000',
    },
    household: {
      municipality: 'Berlin',
      householdMembers: 3,
      housing: { kind: 'miete', monthly: 720 },
      incomes: [
        { member: 1, kind: 'employment', monthlyGross: 1450, taxes: true, healthCare: true, pensionInsurance: true },
        { member: 2, kind: 'minijob_flat', monthlyGross: 520 },
      ],
    },
  };
}

async function main(): Promise<void> {
  const cleanup: Array<() => Promise<void>> = [];
  const root = repoRoot(__dirname);
  const dir = mkdtempSync(join(tmpdir(), 'amtsweg-bench-wohngeld-'));
  chmodSync(dir, 0o755); // PostgreSQL runs as "postgres" when we are root
  cleanup.push(async () => {
    if (process.env.BENCH_KEEP_DIR) log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  });
  try {
    // --- infrastructure ----------------------------------------------------------------------
    let temporalAddress = process.env.TEMPORAL_ADDRESS;
    let temporal = 'TEMPORAL_ADDRESS';
    if (!temporalAddress) {
      const loadScript = createRequire(join(root, 'package.json'));
      const { ensureTemporalCli } = loadScript('./scripts/temporal-ensure.js') as typeof TemporalEnsure;
      const cliPath = await ensureTemporalCli({ requireBinary: true, log });
      const port = await freePort();
      const tbase = TEMPORAL_DIR === 'disk' ? undefined : TEMPORAL_DIR;
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
    if (!smtpUrl) {
      const [smtpPort, webPort] = [await freePort(), await freePort()];
      log(`starting maildev on :${smtpPort} (web :${webPort})`);
      const mail = await startMailSink({ smtpPort, webPort, mailDir: join(dir, 'mail'), logFile: join(dir, 'mail.log') });
      cleanup.unshift(() => mail.stop());
      smtpUrl = mail.smtpUrl;
    }
    await migrate(databaseUrl);
    const pool = createPool({ connectionString: databaseUrl, max: 4, applicationName: 'amtsweg-bench' });
    cleanup.unshift(() => pool.end());

    // --- worker and API (child processes, the production entry points) ------------------------
    const apiPort = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      DATA_DIR: join(dir, 'data'),
      PORT: String(apiPort),
      AUTH_MODE: 'dev',
      DEV_JWT_SECRET: DEV_SECRET,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: 'default',
      DATABASE_URL: databaseUrl,
      SMTP_URL: smtpUrl,
      PAYLOAD_KEYS: formatPayloadKeys([generatePayloadKey('bench')]),
      WORKER_METRICS_PORT: '0',
      RATE_LIMIT_PUBLIC_PER_MINUTE: '1000000000',
      RATE_LIMIT_AUTHENTICATED_PER_MINUTE: '1000000000',
    };
    const child = (name: 'worker' | 'api'): ManagedProcess =>
      startProcess({ name, command: process.execPath, args: ['--enable-source-maps', join(root, `dist/apps/${name}/src/main.js`)], cwd: root, env, logFile: join(dir, `${name}.log`), stopTimeoutMs: 30_000 });
    const worker = child('worker');
    cleanup.unshift(async () => void (await worker.stop()));
    const api = child('api');
    cleanup.unshift(async () => void (await api.stop()));
    const url = `http://127.0.0.1:${apiPort}`;
    await waitUntil(async () => (await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) })).status === 200, { what: 'API /health 200', timeoutMs: 120_000, intervalMs: 500, process: api });
    log(`API up on ${url} (pid ${api.pid}), worker pid ${worker.pid}`);

    const tokens: string[] = [];
    for (let i = 0; i < TOKENS; i++) {
      tokens.push(`Bearer ${(await signDevToken(DEV_SECRET, { sub: `wohngeld-bench-${i}`, roles: ['citizen'], trustLevel: 'substantiell', groups: [] }, 7200)).access_token}`);
    }
    const runTag = `${Date.now().toString(36)}`;
    const submit = async (i: number): Promise<{ status: number | string; caseId?: string }> => {
      const res = await fetch(`${url}/api/v1/applications/wohngeld`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: tokens[i % tokens.length]!, 'idempotency-key': `bench-${runTag}-${i}` },
        body: JSON.stringify(application(i)),
        signal: AbortSignal.timeout(60_000),
      });
      const body = (await res.json().catch(() => ({}))) as { caseId?: string; caseNumber?: string };
      if (res.status === 201 && !/^WG-\d{4}-\d{6,}$/.test(body.caseNumber ?? '')) return { status: '201 without a case number' };
      return { status: res.status, caseId: body.caseId };
    };
    // sanity: the endpoint answers what we think before we measure it
    const probe = await fetch(`${url}/api/v1/applications/wohngeld`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: tokens[0]!, 'idempotency-key': `bench-${runTag}-probe` },
      body: JSON.stringify(application(-1)),
    });
    if (probe.status !== 201) throw new Error(`the first submission answered ${probe.status}: ${await probe.text()}`);

    // --- measure -------------------------------------------------------------------------------
    const next = { i: 0 };
    log(`warm-up ${WARMUP} s`);
    await closedLoop(WARMUP, CONCURRENCY, submit, next);
    const loadBefore = loadavg();
    log(`${CONCURRENCY} submissions in flight for ${DURATION} s`);
    const measured = await closedLoop(DURATION, CONCURRENCY, submit, next);
    const summary = summarise(measured);
    const loadAfter = loadavg();

    // --- what was measured is real: the cases exist and their processes went on ----------------
    const ids = measured.samples.filter((s) => s.ok && s.caseId).map((s) => s.caseId!);
    const { rows: inDb } = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM cases WHERE id = ANY($1::uuid[]) AND type = 'wohngeld'", [ids]);
    let asked = 0;
    for (let k = 0; k < 120; k++) {
      const { rows } = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM cases WHERE id = ANY($1::uuid[]) AND status = 'ACTION_REQUIRED'", [ids]);
      asked = rows[0]!.n;
      if (asked >= ids.length) break;
      await new Promise((r) => setTimeout(r, 1000));
    }

    const lines = [
      '',
      `amtsweg bench:wohngeld — POST /api/v1/applications/wohngeld, ${CONCURRENCY} in flight × ${DURATION} s, ${TOKENS} citizens`,
      `submissions/s to case number: ${summary.submissionsPerSec}   (201: ${summary.ok} of ${summary.total}; statuses ${JSON.stringify(summary.statuses)})`,
      `latency ms: p50 ${summary.p50}   p95 ${summary.p95}   p99 ${summary.p99}   max ${summary.max}`,
      `cases in PostgreSQL: ${inDb[0]!.n} of ${ids.length}; processes at the proof request (ACTION_REQUIRED): ${asked}`,
      `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load ${loadBefore.map((l) => l.toFixed(2)).join(' ')} → ${loadAfter.map((l) => l.toFixed(2)).join(' ')}; Temporal: ${temporal}; PostgreSQL: ${database}`,
      '',
    ];
    process.stdout.write(lines.join('\n'));

    const outDir = join(root, 'bench', 'results');
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, `wohngeld-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(
      file,
      `${JSON.stringify(
        {
          at: new Date().toISOString(),
          command: 'npm run bench:wohngeld',
          machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavgBefore: loadBefore, loadavgAfter: loadAfter, node: process.version },
          setup: { concurrency: CONCURRENCY, durationSeconds: DURATION, warmupSeconds: WARMUP, tokens: TOKENS, temporal, database },
          result: summary,
          check: { casesInDatabase: inDb[0]!.n, answered: ids.length, atProofRequest: asked },
        },
        null,
        2,
      )}\n`,
    );
    log(`results written to ${file}`);
  } finally {
    for (const c of cleanup) await c().catch((e: unknown) => log(`cleanup: ${String(e)}`));
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
