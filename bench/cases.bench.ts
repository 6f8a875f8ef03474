/**
 * npm run bench:cases — the case-file read path under load (issue 3, "Measure").
 *
 * 1. PostgreSQL: DATABASE_URL if set, else an embedded PostgreSQL of its own (temp dir, fsync off).
 * 2. Migrates and seeds 100,000 cases of 20,000 citizens (bench/seed.ts), unless already there.
 * 3. Boots the API in-process (createApp) on a free port: AUTH_MODE=dev, rate limits raised out
 *    of the way, request logging at info level into /dev/null (the cost of logging is measured,
 *    the terminal is not flooded). Temporal and SMTP are not needed for reads: their /health
 *    checks are stubbed "up", the database check is real (cached HEALTH_CACHE_MS, as in production).
 * 4. autocannon in a worker thread, 100 connections, BENCH_DURATION seconds (default 10) each after
 *    a short warm-up: GET /health (the framework's ceiling), GET /api/v1/cases and
 *    GET /api/v1/cases/{id}, rotating through dev tokens of BENCH_TOKENS (default 2,000) different
 *    citizens and their cases.
 * 5. Prints a table and writes bench/results/cases-<time>.json.
 * Targets: p99 ≤ 50 ms and throughput ≥ 60 % of the ceiling.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { signDevToken } from '../libs/auth/src/dev-tokens';
import { loadConfig } from '../libs/config/src/config';
import { repoRoot } from '../libs/config/src/paths';
import { migrate } from '../libs/db/src/migrate';
import { createPool } from '../libs/db/src/pool';
import { startEmbeddedPostgres } from '../libs/devstack/src/embedded-db';
import { freePort } from '../libs/devstack/src/ports';
import { createApp } from '../apps/api/src/app.factory';
import { createRootLogger } from '../apps/api/src/logging/logger';
import type { LoadJob, LoadResult, LoadTarget } from './load-worker';
import { runBench, writeBenchResults } from './support/report';
import { BENCH_CASES, BENCH_CITIZENS, BENCH_OWNER_PREFIX, seedBenchCases } from './seed';

const CONNECTIONS = 100;
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const TOKENS = Number(process.env.BENCH_TOKENS ?? 2000);
const TARGET_P99_MS = 50;
const TARGET_SHARE = 0.6;

const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);

function runLoad(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(join(__dirname, 'load-worker.js'), { workerData: job });
    worker.on('message', (m: { benchResult?: LoadResult; benchError?: string }) => {
      if (m?.benchResult) resolve(m.benchResult);
      else if (m?.benchError) reject(new Error(m.benchError));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`load worker exited with ${code}`)));
  });
}

interface Row {
  endpoint: string;
  reqPerSec: number;
  p50: number;
  p97_5: number;
  p99: number;
  non2xx: number;
  errors: number;
  shareOfCeiling: number;
  meetsTargets: boolean | null;
}

async function main(): Promise<void> {
  const cleanup: Array<() => Promise<void>> = [];
  try {
    // --- database ----------------------------------------------------------------------------
    let databaseUrl = process.env.DATABASE_URL;
    let database = 'DATABASE_URL';
    if (!databaseUrl) {
      const dir = mkdtempSync(join(tmpdir(), 'amtsweg-bench-'));
      chmodSync(dir, 0o755); // PostgreSQL runs as "postgres" when we are root
      cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
      const port = await freePort();
      log(`starting an embedded PostgreSQL on :${port} (${dir})`);
      const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port, user: 'postgres', password: 'postgres', database: 'amtsweg_bench', logFile: join(dir, 'postgres.log'), fast: true });
      cleanup.unshift(() => pg.stop());
      databaseUrl = pg.url('amtsweg_bench');
      database = 'embedded (fsync off)';
    }
    await migrate(databaseUrl);
    const seedPool = createPool({ connectionString: databaseUrl, max: 2, applicationName: 'amtsweg-bench-seed' });
    const seed = await seedBenchCases(seedPool, log);
    if (seed.seeded) log(`seeded ${BENCH_CASES} cases of ${BENCH_CITIZENS} citizens in ${(seed.ms / 1000).toFixed(1)} s`);

    // --- API ---------------------------------------------------------------------------------
    const config = loadConfig({
      NODE_ENV: 'test',
      AUTH_MODE: 'dev',
      LOG_LEVEL: 'info',
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_MAX: process.env.DATABASE_POOL_MAX ?? '20',
      RATE_LIMIT_PUBLIC_PER_MINUTE: '1000000000',
      RATE_LIMIT_AUTHENTICATED_PER_MINUTE: '1000000000',
      PORT: '0',
    });
    const logger = createRootLogger(config, pino.destination({ dest: '/dev/null', sync: false }));
    const up = async (): Promise<void> => undefined;
    const app = await createApp(config, {
      logger,
      connectTemporal: () => Promise.reject(new Error('no Temporal in the read benchmark')),
      healthChecks: { temporal: up, mail: up },
    });
    await app.listen(0, '127.0.0.1');
    cleanup.unshift(async () => {
      await app.close();
    });
    const url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    log(`API listening on ${url}`);

    // --- who asks for what -------------------------------------------------------------------
    const citizens = Array.from({ length: TOKENS }, (_, i) => `${BENCH_OWNER_PREFIX}${(i * 7) % BENCH_CITIZENS}`);
    const picks = await seedPool.query<{ owner_sub: string; id: string }>(
      'SELECT DISTINCT ON (owner_sub) owner_sub, id FROM cases WHERE owner_sub = ANY($1) ORDER BY owner_sub, md5(id::text)',
      [citizens],
    );
    await seedPool.end();
    const caseOf = new Map(picks.rows.map((r) => [r.owner_sub, r.id]));
    const listTargets: LoadTarget[] = [];
    const detailTargets: LoadTarget[] = [];
    for (const sub of citizens) {
      const { access_token } = await signDevToken(config.DEV_JWT_SECRET, { sub, roles: ['citizen'], trustLevel: 'substantiell', groups: [] }, 3600);
      const authorization = `Bearer ${access_token}`;
      listTargets.push({ path: '/api/v1/cases?limit=20', authorization });
      detailTargets.push({ path: `/api/v1/cases/${caseOf.get(sub)}`, authorization });
    }

    // sanity: the endpoints answer what we think before we measure them
    for (const t of [listTargets[0]!, detailTargets[0]!]) {
      const res = await fetch(url + t.path, { headers: { authorization: t.authorization! } });
      if (res.status !== 200) throw new Error(`${t.path} answered ${res.status}: ${await res.text()}`);
    }

    const endpoints: Array<{ name: string; targets: LoadTarget[] }> = [
      { name: 'GET /health', targets: [{ path: '/health' }] },
      { name: 'GET /api/v1/cases', targets: listTargets },
      { name: 'GET /api/v1/cases/{id}', targets: detailTargets },
    ];
    const results: Array<{ name: string; result: LoadResult }> = [];
    const loadBefore = loadavg();
    for (const e of endpoints) {
      log(`${e.name}: warm-up ${WARMUP} s`);
      await runLoad({ url, title: `${e.name} warm-up`, connections: CONNECTIONS, durationSeconds: WARMUP, targets: e.targets });
      log(`${e.name}: ${CONNECTIONS} connections for ${DURATION} s`);
      results.push({ name: e.name, result: await runLoad({ url, title: e.name, connections: CONNECTIONS, durationSeconds: DURATION, targets: e.targets }) });
    }

    // --- report ------------------------------------------------------------------------------
    const ceiling = results[0]!.result.requests.average;
    const rows: Row[] = results.map(({ name, result }, i) => {
      const share = ceiling > 0 ? result.requests.average / ceiling : 0;
      return {
        endpoint: name,
        reqPerSec: Math.round(result.requests.average),
        p50: result.latency.p50,
        p97_5: result.latency.p97_5,
        p99: result.latency.p99,
        non2xx: result.non2xx,
        errors: result.errors + result.timeouts,
        shareOfCeiling: Math.round(share * 1000) / 1000,
        meetsTargets: i === 0 ? null : result.latency.p99 <= TARGET_P99_MS && share >= TARGET_SHARE && result.non2xx === 0 && result.errors === 0,
      };
    });
    const pad = (s: string | number, n: number) => String(s).padStart(n);
    const lines = [
      '',
      `amtsweg bench:cases — ${BENCH_CASES.toLocaleString('en')} cases, ${BENCH_CITIZENS.toLocaleString('en')} citizens, ${TOKENS} tokens, ${CONNECTIONS} connections × ${DURATION} s`,
      `${'endpoint'.padEnd(26)}${pad('req/s', 9)}${pad('p50 ms', 9)}${pad('p97.5 ms', 10)}${pad('p99 ms', 9)}${pad('non-2xx', 9)}${pad('errors', 8)}${pad('of ceiling', 12)}  targets`,
      ...rows.map(
        (r) =>
          `${r.endpoint.padEnd(26)}${pad(r.reqPerSec, 9)}${pad(r.p50, 9)}${pad(r.p97_5, 10)}${pad(r.p99, 9)}${pad(r.non2xx, 9)}${pad(r.errors, 8)}${pad(`${(r.shareOfCeiling * 100).toFixed(1)} %`, 12)}  ${r.meetsTargets === null ? 'ceiling' : r.meetsTargets ? 'met' : 'MISSED'}`,
      ),
      `targets: p99 ≤ ${TARGET_P99_MS} ms and ≥ ${TARGET_SHARE * 100} % of the /health ceiling; machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
      '',
    ];
    process.stdout.write(lines.join('\n'));

    const file = writeBenchResults(repoRoot(), 'cases', {
      machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavgBefore: loadBefore, loadavgAfter: loadavg(), node: process.version },
      setup: { cases: BENCH_CASES, citizens: BENCH_CITIZENS, tokens: TOKENS, connections: CONNECTIONS, durationSeconds: DURATION, warmupSeconds: WARMUP, database, poolMax: config.DATABASE_POOL_MAX, seedMs: seed.ms },
      targets: { p99Ms: TARGET_P99_MS, shareOfCeiling: TARGET_SHARE },
      rows,
      raw: results.map(({ name, result }) => ({ name, requests: result.requests, latency: result.latency, non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts })),
    });
    log(`results written to ${file}`);
  } finally {
    for (const c of cleanup) await c().catch((e: unknown) => log(`cleanup: ${String(e)}`));
  }
}

runBench(main);
