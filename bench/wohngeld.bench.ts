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
import { cpus, loadavg } from 'node:os';
import { signDevToken } from '../libs/auth/src/dev-tokens';
import { repoRoot } from '../libs/config/src/paths';
import { createPool } from '../libs/db/src/pool';
import { formatPayloadKeys, generatePayloadKey } from '../libs/temporal/src/payload-keys';
import { BENCH_DEV_SECRET, benchTempDir, startBenchInfrastructure, startWorkerAndApi } from './support/infrastructure';
import type { Cleanup } from './support/infrastructure';
import { closedLoop, summarise } from './support/latency';
import { runBench, writeBenchResults } from './support/report';

const DURATION = Number(process.env.BENCH_DURATION ?? 15);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const TOKENS = Number(process.env.BENCH_TOKENS ?? 500);

const log = (m: string) => process.stderr.write(`[bench] ${new Date().toISOString().slice(11, 19)} ${m}\n`);

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
  const cleanup: Cleanup = [];
  const root = repoRoot(__dirname);
  const dir = benchTempDir('wohngeld', cleanup, log);
  try {
    // --- infrastructure ----------------------------------------------------------------------
    const infra = await startBenchInfrastructure({ root, dir, cleanup, log });
    const { temporal, database } = infra;
    const pool = createPool({ connectionString: infra.databaseUrl, max: 4, applicationName: 'amtsweg-bench' });
    cleanup.unshift(() => pool.end());

    // --- worker and API (child processes, the production entry points) ------------------------
    const { url } = await startWorkerAndApi({ root, dir, cleanup, log, infra, payloadKeys: formatPayloadKeys([generatePayloadKey('bench')]) });

    const tokens: string[] = [];
    for (let i = 0; i < TOKENS; i++) {
      tokens.push(`Bearer ${(await signDevToken(BENCH_DEV_SECRET, { sub: `wohngeld-bench-${i}`, roles: ['citizen'], trustLevel: 'substantiell', groups: [] }, 7200)).access_token}`);
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
    const { okPerSec: submissionsPerSec, ...rest } = summarise(measured);
    const summary = { submissionsPerSec, ...rest };
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

    const file = writeBenchResults(root, 'wohngeld', {
      machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavgBefore: loadBefore, loadavgAfter: loadAfter, node: process.version },
      setup: { concurrency: CONCURRENCY, durationSeconds: DURATION, warmupSeconds: WARMUP, tokens: TOKENS, temporal, database },
      result: summary,
      check: { casesInDatabase: inDb[0]!.n, answered: ids.length, atProofRequest: asked },
    });
    log(`results written to ${file}`);
  } finally {
    for (const c of cleanup) await c().catch((e: unknown) => log(`cleanup: ${String(e)}`));
  }
}

runBench(main);
