/**
 * npm run bench:appointments — booking and Terminalarm under load (issue 4, "Measure").
 *
 * Self-contained, loopback only, bounded in time and count, stops by itself:
 * 1. Infrastructure: TEMPORAL_ADDRESS / DATABASE_URL / SMTP_URL (+ MAIL_WEB_URL for the sink's JSON
 *    API) if set, else a Temporal dev server, an embedded PostgreSQL (fsync off) and maildev of its
 *    own on free ports, data in a temp dir that is deleted afterwards. Migrates.
 * 2. The worker and the API run as CHILD PROCESSES (dist/apps/{worker,api}/src/main.js), as in
 *    production and `npm start`: on 2 cores one process for both would share one event loop and
 *    flatter nothing. Per-IP rate limit raised out of the way, APPOINTMENTS_PER_EMAIL_LIMIT 100,
 *    logs at info into files in the temp dir.
 * 3. Bare Temporal ceiling: bench/trivial.workflow.ts (one workflow, one activity), a bench worker in
 *    this process on its own task queue, started with `execute` by this process's client (the same
 *    encrypted data converter the API uses), BENCH_CONCURRENCY in flight for BENCH_DURATION s.
 * 4. Booking: capacity-1 slots published through the admin API, then POST /api/v1/appointments with
 *    distinct slots and e-mails: (a) closed loop, BENCH_CONCURRENCY in flight, BENCH_DURATION s →
 *    sustained holds/s; (b) open loop at half that rate for BENCH_DURATION s → p50/p95; (c) a race
 *    (10 requests each on 20 slots of capacity 2 → 40 × 201); then double bookings in PostgreSQL.
 * 5. Terminalarm: BENCH_ALARMS (default 20,000) alarm rows seeded in SQL across every office and the
 *    10 most widely offered services. Workflows are started (through the same client, in batches)
 *    only for the alarms that CAN match the coming publication (service, office, date range,
 *    weekday pre-filter — a superset of the matcher's own conditions), because starting 20,000
 *    workflows on 2 cores takes minutes and the others could never be offered a seat of it; the
 *    matcher still scans the whole queue in SQL. Then ≈ 1,000 slots (capacity 1, planned with the
 *    domain's planSlots to add up exactly) are published at once (one concurrent admin request per
 *    office) and the mail sink is polled until every offer mail (Message-ID
 *    `<alarm-<id>.offer-<offerId>@amtsweg>`) of the offers in PostgreSQL is there.
 * 6. Prints a table and writes bench/results/appointments-<time>.json.
 * Targets: ≥ 130 holds/s, p95 ≤ 150 ms at half rate, 0 double bookings; alarms ≤ 10 s total, p50 ≤ 1 s.
 */
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { defineSearchAttributeKey } from '@temporalio/common';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { signDevToken } from '../libs/auth/src/dev-tokens';
import { repoRoot } from '../libs/config/src/paths';
import { createPool } from '../libs/db/src/pool';
import { closuresOf, getOffice } from '../libs/db/src/appointments/catalogue';
import { emailHash, hashAppointmentToken, sealAlarmToken } from '../libs/db/src/appointments/secrets';
import { berlinWallTimeToUtc, planSlots } from '../libs/domain/src/appointments/slot-plan';
import { encryptedDataConverter } from '../libs/temporal/src/encryption-codec';
import { formatPayloadKeys, generatePayloadKey, parsePayloadKeys } from '../libs/temporal/src/payload-keys';
import { ALARM_TASK_QUEUE, ALARM_WORKFLOW_TYPE, alarmStateQuery, alarmWorkflowId } from '../workflows/appointment-alarm/appointment-alarm.contract';
import type { AlarmWorkflowInput } from '../workflows/appointment-alarm/appointment-alarm.contract';
import { BENCH_DEV_SECRET, BENCH_TEMPORAL_DIR, benchTempDir, startBenchInfrastructure, startWorkerAndApi } from './support/infrastructure';
import type { Cleanup } from './support/infrastructure';
import { closedLoop, openLoop, pct, round, summarise } from './support/latency';
import { runBench, writeBenchResults } from './support/report';
import type { BenchActivities } from './trivial.workflow';

const DURATION = Number(process.env.BENCH_DURATION ?? 15);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const ALARMS = Number(process.env.BENCH_ALARMS ?? 20_000);
const PUBLISH_SLOTS = Number(process.env.BENCH_PUBLISH_SLOTS ?? 1_000);
const ALARM_SERVICES = 10;
const MAIL_TIMEOUT_MS = Number(process.env.BENCH_MAIL_TIMEOUT_MS ?? 300_000);
const TARGET = { holdsPerSec: 130, p95HalfRateMs: 150, alarmTotalMs: 10_000, alarmP50Ms: 1_000 };
const BENCH_QUEUE = 'amtsweg-bench-trivial';
const PROCESS_KEY = defineSearchAttributeKey('AmtswegProcess', 'KEYWORD');

const log = (m: string) => process.stderr.write(`[bench] ${new Date().toISOString().slice(11, 19)} ${m}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
interface SinkMail {
  messageId?: string;
  headers?: Record<string, unknown>;
  time?: string;
  date?: string;
}
const messageIdOf = (m: SinkMail) => (typeof m.headers?.['message-id'] === 'string' ? m.headers['message-id'].trim() : `<${String(m.messageId).replace(/^<|>$/g, '')}>`);

/** Berlin calendar date (YYYY-MM-DD) `days` from now. */
function berlinDate(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Europe/Berlin' });
}
/** Berlin midnight of a YYYY-MM-DD date, as an instant. */
function berlinMidnight(date: string, plusDays = 0): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return berlinWallTimeToUtc(y, m, d + plusDays, 0, 0);
}
function isoDow(date: string): number {
  const d = new Date(`${date}T12:00:00Z`).getUTCDay();
  return d === 0 ? 7 : d;
}

async function main(): Promise<void> {
  const cleanup: Cleanup = [];
  const root = repoRoot(__dirname);
  const dir = benchTempDir('appt', cleanup, log);
  const loadSamples: number[] = [];
  const loadTimer = setInterval(() => loadSamples.push(loadavg()[0]!), 5_000);
  cleanup.unshift(async () => clearInterval(loadTimer));
  const phaseLoad: Record<string, { before: number[]; after: number[] }> = {};
  const phase = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const before = loadavg();
    const r = await fn();
    phaseLoad[name] = { before: before.map((l) => round(l, 2)), after: loadavg().map((l) => round(l, 2)) };
    return r;
  };

  try {
    // --- infrastructure ----------------------------------------------------------------------
    const infra = await startBenchInfrastructure({ root, dir, cleanup, log, needMailWeb: true });
    const { temporalAddress, mailWeb } = infra;
    const pool = createPool({ connectionString: infra.databaseUrl, max: 4, applicationName: 'amtsweg-bench' });
    cleanup.unshift(() => pool.end());

    // --- worker and API (child processes) ----------------------------------------------------
    const payloadKeys = formatPayloadKeys([generatePayloadKey('bench')]);
    const { url } = await startWorkerAndApi({
      root,
      dir,
      cleanup,
      log,
      infra,
      payloadKeys,
      env: {
        LOG_LEVEL: 'info',
        APPOINTMENTS_PER_EMAIL_LIMIT: '100',
        APPOINTMENT_HOLD: 'PT2H', // no hold lapses during the run (a lapse would feed the matcher)
        SLOT_PUBLISH_WITHHOLD: 'PT15M',
      },
    });
    const admin = `Bearer ${(await signDevToken(BENCH_DEV_SECRET, { sub: 'bench-admin', roles: ['admin'], trustLevel: 'substantiell', groups: [] }, 7200)).access_token}`;
    const post = async (path: string, body: unknown, authorization?: string): Promise<{ status: number; json: unknown }> => {
      const res = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization && { authorization }) }, body: JSON.stringify(body), signal: AbortSignal.timeout(MAIL_TIMEOUT_MS) });
      const text = await res.text();
      let json: unknown = text;
      try {
        json = JSON.parse(text);
      } catch {
        // not JSON
      }
      return { status: res.status, json };
    };

    // --- Temporal client of this process (the API's data converter) -------------------------
    const dataConverter = encryptedDataConverter({ PAYLOAD_KEYS: payloadKeys, NODE_ENV: 'development', DATA_DIR: join(dir, 'data') });
    const connection = await Connection.connect({ address: temporalAddress });
    cleanup.unshift(() => connection.close());
    const client = new Client({ connection, namespace: 'default', dataConverter });

    // --- 1. bare Temporal ceiling ------------------------------------------------------------
    const ceiling = await phase('ceiling', async () => {
      const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./trivial.workflow'), failureConverterPath: dataConverter.failureConverterPath, logger: undefined });
      const nc = await NativeConnection.connect({ address: temporalAddress });
      const activities: BenchActivities = { benchEcho: async (n) => n };
      const w = await Worker.create({ connection: nc, namespace: 'default', taskQueue: BENCH_QUEUE, workflowBundle: { code: bundle.code }, activities, dataConverter });
      const running = w.run();
      try {
        const run = `${Date.now()}`;
        const call = async (i: number) => {
          await client.workflow.execute('benchTrivial', { taskQueue: BENCH_QUEUE, workflowId: `bench-trivial-${run}-${i}`, args: [i] });
          return 'ok';
        };
        const next = { i: 0 };
        log(`ceiling: warm-up ${WARMUP} s`);
        await closedLoop(WARMUP, CONCURRENCY, call, next);
        log(`ceiling: ${CONCURRENCY} in flight for ${DURATION} s`);
        return summarise(await closedLoop(DURATION, CONCURRENCY, call, next));
      } finally {
        w.shutdown();
        await running;
        await nc.close();
      }
    });
    log(`ceiling: ${ceiling.okPerSec} workflows/s, p95 ${ceiling.p95} ms`);
    if (process.env.BENCH_STOP_AFTER === 'ceiling') return;

    // --- 2. booking --------------------------------------------------------------------------
    const { rows: svcRows } = await pool.query<{ service_id: string; n: number }>('SELECT service_id, count(*)::int AS n FROM office_services GROUP BY service_id ORDER BY n DESC, service_id');
    const bookingService = svcRows[0]!.service_id;
    const { rows: officeRows } = await pool.query<{ office_id: string }>('SELECT office_id FROM office_services WHERE service_id = $1 ORDER BY office_id', [bookingService]);
    const bookingOffices = officeRows.map((r) => r.office_id).slice(0, Number(process.env.BENCH_BOOKING_OFFICES ?? 10));
    const bookFrom = berlinMidnight(berlinDate(1)).toISOString();
    const bookTo = berlinMidnight(berlinDate(29)).toISOString();
    const seedBooking = await phase('booking-seed', async () => {
      const t = Date.now();
      let created = 0;
      for (const officeId of bookingOffices) {
        const r = await post(`/api/v1/admin/offices/${officeId}/slots`, { serviceIds: [bookingService], start: bookFrom, end: bookTo, slotMinutes: 10, capacity: 1 }, admin);
        if (r.status !== 201) throw new Error(`publishing booking slots for ${officeId}: ${r.status} ${JSON.stringify(r.json)}`);
        created += (r.json as { created: number }).created;
      }
      // the bench publishes with a withhold for the alarm queue; booking slots are public at once
      await pool.query(`UPDATE slots SET public_at = NULL WHERE office_id = ANY($1)`, [bookingOffices]);
      return { created, ms: Date.now() - t };
    });
    const { rows: bookSlots } = await pool.query<{ id: string }>(`SELECT id FROM slots WHERE office_id = ANY($1) AND capacity = 1 AND booked = 0 ORDER BY md5(id::text)`, [bookingOffices]);
    log(`booking: ${seedBooking.created} slots of ${bookingService} at ${bookingOffices.length} offices (${seedBooking.ms} ms)`);
    const runTag = randomBytes(3).toString('hex');
    const book = async (i: number): Promise<number> => {
      const slot = bookSlots[i];
      if (!slot) return 0; // out of slots: counted as a failure, never reused
      const r = await fetch(`${url}/api/v1/appointments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ serviceId: bookingService, slotId: slot.id, email: `bench-${runTag}-${i}@example.org`, name: 'Bench Bürger' }),
        signal: AbortSignal.timeout(30_000),
      });
      await r.arrayBuffer();
      return r.status;
    };
    const bookNext = { i: 0 };
    const booking = await phase('booking', async () => {
      log(`booking: warm-up ${WARMUP} s`);
      await closedLoop(WARMUP, CONCURRENCY, book, bookNext);
      log(`booking: ${CONCURRENCY} in flight for ${DURATION} s`);
      const sustained = summarise(await closedLoop(DURATION, CONCURRENCY, book, bookNext));
      log(`booking: ${sustained.okPerSec} holds/s, p95 ${sustained.p95} ms; settling 5 s`);
      await sleep(5_000);
      const rate = Math.max(1, sustained.okPerSec / 2);
      log(`booking: open loop at ${rate} holds/s for ${DURATION} s`);
      const half = openLoop(DURATION, rate, book, bookNext);
      const halfResult = await half;
      return { sustained, halfRate: { rate, ...summarise(halfResult), skipped: halfResult.skipped } };
    });
    log(`booking at half rate: p50 ${booking.halfRate.p50} ms, p95 ${booking.halfRate.p95} ms`);

    // race: 10 concurrent holds on each of 20 slots of capacity 2
    const race = await phase('race', async () => {
      const raceOffice = bookingOffices[0]!;
      const day = berlinDate(30);
      const r = await post(`/api/v1/admin/offices/${raceOffice}/slots`, { serviceIds: [bookingService], start: berlinMidnight(day).toISOString(), end: berlinMidnight(day, 1).toISOString(), slotMinutes: 5, capacity: 2 }, admin);
      if (r.status !== 201) throw new Error(`publishing race slots: ${r.status} ${JSON.stringify(r.json)}`);
      const { rows } = await pool.query<{ id: string }>(`UPDATE slots SET public_at = NULL WHERE office_id = $1 AND capacity = 2 AND booked = 0 RETURNING id`, [raceOffice]);
      const slots = rows.slice(0, 20);
      const statuses = await Promise.all(
        slots.flatMap((s, k) =>
          Array.from({ length: 10 }, async (_, j) => {
            const res = await fetch(`${url}/api/v1/appointments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ serviceId: bookingService, slotId: s.id, email: `race-${runTag}-${k}-${j}@example.org`, name: 'Race' }) });
            await res.arrayBuffer();
            return res.status;
          }),
        ),
      );
      return { slots: slots.length, requests: statuses.length, created: statuses.filter((s) => s === 201).length, conflicts: statuses.filter((s) => s === 409).length, expectedCreated: slots.length * 2 };
    });
    const { rows: dbl } = await pool.query<{ overfull: number; over_appointments: number; mismatched: number }>(`
      SELECT (SELECT count(*)::int FROM slots WHERE booked > capacity) AS overfull,
             (SELECT count(*)::int FROM (SELECT a.slot_id FROM appointments a JOIN slots s ON s.id = a.slot_id
                                          WHERE a.status IN ('reserved', 'confirmed') GROUP BY a.slot_id, s.capacity HAVING count(*) > s.capacity) x) AS over_appointments,
             (SELECT count(*)::int FROM slots s WHERE s.booked <> (SELECT count(*) FROM appointments a WHERE a.slot_id = s.id AND a.status IN ('reserved', 'confirmed'))
                                                        + (SELECT count(*) FROM alarm_offers o WHERE o.slot_id = s.id AND o.status = 'open')) AS mismatched`);
    const doubleBookings = { slotsOverCapacity: dbl[0]!.overfull, slotsWithMoreAppointmentsThanCapacity: dbl[0]!.over_appointments, slotsWhereBookedDiffersFromHolders: dbl[0]!.mismatched };
    log(`race: ${race.created}/${race.expectedCreated} created, ${race.conflicts} × 409; double bookings ${JSON.stringify(doubleBookings)}`);

    // let the confirmation mails drain, then empty the sink
    await phase('drain', async () => {
      let last = -1;
      for (let k = 0; k < 60; k++) {
        const n = ((await (await fetch(`${mailWeb}/email`)).json()) as unknown[]).length;
        if (n === last) break;
        last = n;
        await sleep(2_000);
      }
      log(`mail sink holds ${last} mails (confirmations); clearing it`);
      await fetch(`${mailWeb}/email/all`, { method: 'DELETE' });
    });

    // --- 3. Terminalarm ----------------------------------------------------------------------
    const services = svcRows.slice(0, ALARM_SERVICES).map((r) => r.service_id);
    const { rows: allOffices } = await pool.query<{ id: string }>('SELECT id FROM offices ORDER BY id');
    const offices = allOffices.map((r) => r.id);
    const { rows: os } = await pool.query<{ office_id: string; service_id: string }>('SELECT office_id, service_id FROM office_services WHERE service_id = ANY($1)', [services]);
    const servicesOf = new Map<string, string[]>();
    for (const r of os) servicesOf.set(r.office_id, [...(servicesOf.get(r.office_id) ?? []), r.service_id]);

    // the publication: one day, offices in order, planned with the domain's planner to add up to PUBLISH_SLOTS
    let pubDay = '';
    const plan: Array<{ officeId: string; serviceIds: string[]; start: string; end: string; slots: number }> = [];
    for (let d = 35; d < 58 && plan.reduce((a, p) => a + p.slots, 0) < PUBLISH_SLOTS; d++) {
      pubDay = berlinDate(d);
      plan.length = 0;
      let total = 0;
      for (const officeId of offices) {
        const serviceIds = servicesOf.get(officeId) ?? [];
        const office = await getOffice(pool, officeId);
        if (!office || serviceIds.length === 0) continue;
        const from = berlinMidnight(pubDay);
        const to = berlinMidnight(pubDay, 1);
        const planned = planSlots({ openingHours: office.openingHours, closures: await closuresOf(pool, officeId, from, to), from, to, slotMinutes: 10, notBefore: new Date() });
        if (planned.length === 0) continue;
        const take = Math.min(planned.length, PUBLISH_SLOTS - total);
        const last = planned[take - 1]!;
        plan.push({ officeId, serviceIds, start: from.toISOString(), end: last.end.toISOString(), slots: take });
        total += take;
        if (total >= PUBLISH_SLOTS) break;
      }
    }
    const plannedSlots = plan.reduce((a, p) => a + p.slots, 0);
    const pubOffices = new Set(plan.map((p) => p.officeId));
    const pubDow = isoDow(pubDay);
    log(`alarms: publication on ${pubDay} (ISO weekday ${pubDow}): ${plannedSlots} slots at ${plan.length} offices, services ${services.join(', ')}`);

    // seed the alarm rows
    interface AlarmSeed {
      id: string;
      i: number;
      serviceId: string;
      officeIds: string[];
      from: string;
      to: string;
      weekdays: number[];
      timeFrom: string | null;
      timeTo: string | null;
      email: string;
      token: string;
    }
    const alarms: AlarmSeed[] = [];
    for (let i = 0; i < ALARMS; i++) {
      const fromDays = 25 + (i % 30);
      const officeIds = i % 4 === 0 ? [] : Array.from(new Set([offices[(i * 7) % offices.length]!, offices[(i * 13 + 5) % offices.length]!].slice(0, 1 + (i % 2))));
      alarms.push({
        id: randomUUID(),
        i,
        serviceId: services[i % services.length]!,
        officeIds,
        from: berlinDate(fromDays),
        to: berlinDate(fromDays + 3 + (i % 15)),
        weekdays: i % 3 === 0 ? [] : [1, 2, 3, 4, 5],
        timeFrom: i % 5 === 0 ? '08:00' : null,
        timeTo: i % 5 === 0 ? '12:00' : null,
        email: `alarm-${runTag}-${i}@example.org`,
        token: randomBytes(32).toString('base64url'),
      });
    }
    const seedAlarms = await phase('alarm-seed', async () => {
      const t = Date.now();
      for (let k = 0; k < alarms.length; k += 5_000) {
        const chunk = alarms.slice(k, k + 5_000);
        await pool.query(
          `INSERT INTO alarms (id, service_id, office_ids, from_date, to_date, weekdays, time_from, time_to, email, email_hash, name, token_hash, status, created_at, expires_at, workflow_id, token_sealed)
           SELECT u.id, u.service_id, CASE WHEN u.offices = '' THEN '{}'::text[] ELSE string_to_array(u.offices, ',') END, u.from_date, u.to_date,
                  CASE WHEN u.weekdays = '' THEN '{}'::int[] ELSE string_to_array(u.weekdays, ',')::int[] END, u.time_from, u.time_to, u.email, u.email_hash,
                  'Bench Alarm', u.token_hash, 'active', now() - (($13::int - u.n) * interval '1 second'), now() + interval '30 days', 'alarm-' || u.id, u.token_sealed
             FROM unnest($1::uuid[], $2::text[], $3::text[], $4::date[], $5::date[], $6::text[], $7::time[], $8::time[], $9::text[], $10::text[], $11::text[], $12::int[], $14::text[])
               AS u(id, service_id, offices, from_date, to_date, weekdays, time_from, time_to, email, email_hash, token_hash, n, token_sealed)`,
          [
            chunk.map((a) => a.id),
            chunk.map((a) => a.serviceId),
            chunk.map((a) => a.officeIds.join(',')),
            chunk.map((a) => a.from),
            chunk.map((a) => a.to),
            chunk.map((a) => a.weekdays.join(',')),
            chunk.map((a) => a.timeFrom),
            chunk.map((a) => a.timeTo),
            chunk.map((a) => a.email),
            chunk.map((a) => emailHash(a.email)),
            chunk.map((a) => hashAppointmentToken(a.token)),
            chunk.map((a) => a.i),
            ALARMS,
            // as AlarmsService.create: the token sealed with the payload key, for the offer outbox's mail
            chunk.map((a) => sealAlarmToken(parsePayloadKeys(payloadKeys), a.id, a.token)),
          ],
        );
      }
      await pool.query('ANALYZE alarms');
      return { ms: Date.now() - t };
    });
    const pubServices = new Set(plan.flatMap((p) => p.serviceIds));
    const candidates = alarms.filter(
      (a) =>
        pubServices.has(a.serviceId) &&
        (a.officeIds.length === 0 || a.officeIds.some((o) => pubOffices.has(o))) &&
        a.from <= pubDay &&
        pubDay <= a.to &&
        (a.weekdays.length === 0 || a.weekdays.includes(pubDow)),
    );
    log(`alarms: ${ALARMS} rows seeded (${seedAlarms.ms} ms); starting the workflows of the ${candidates.length} that can match`);
    const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const starts = await phase('alarm-workflows', async () => {
      const t = performance.now();
      const next = { i: 0 };
      const failures: string[] = [];
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          for (let k = next.i++; k < candidates.length; k = next.i++) {
            const a = candidates[k]!;
            const input: AlarmWorkflowInput = {
              alarmId: a.id,
              serviceId: a.serviceId,
              expiresAt,
              email: a.email,
              name: 'Bench Alarm',
              token: a.token,
              tokenHash: hashAppointmentToken(a.token),
              timing: { lifetime: 'P30D', expiryWarning: 'P2D', appointment: { hold: 'PT2H', confirmWindow: 'PT10M', reminderLead: 'PT2H' } },
            };
            try {
              await client.workflow.start(ALARM_WORKFLOW_TYPE, { workflowId: alarmWorkflowId(a.id), taskQueue: ALARM_TASK_QUEUE, args: [input], workflowIdReusePolicy: 'REJECT_DUPLICATE', typedSearchAttributes: [{ key: PROCESS_KEY, value: 'alarm' }] });
            } catch (e) {
              failures.push(e instanceof Error ? e.message : String(e));
            }
          }
        }),
      );
      const seconds = (performance.now() - t) / 1000;
      // wait until the worker has run the first task of the last ones (a query needs a live workflow)
      for (const a of candidates.slice(-5)) {
        for (let tries = 0; ; tries++) {
          try {
            await client.workflow.getHandle(alarmWorkflowId(a.id)).query(alarmStateQuery);
            break;
          } catch (e) {
            if (tries >= 20) throw e;
            await sleep(2_000);
          }
        }
      }
      const settled = (performance.now() - t) / 1000;
      if (failures.length > 0) log(`alarms: ${failures.length} starts failed, first: ${failures[0]}`);
      return { started: candidates.length - failures.length, failed: failures.length, startSeconds: round(seconds, 1), startsPerSec: round(candidates.length / seconds), settledSeconds: round(settled, 1) };
    });
    log(`alarms: ${starts.started} workflows started in ${starts.startSeconds} s (${starts.startsPerSec}/s); settling 10 s`);
    await sleep(10_000);

    const terminalarm = await phase('terminalarm', async () => {
      const t0 = Date.now();
      const responses = await Promise.all(
        plan.map(async (p) => {
          const r = await post(`/api/v1/admin/offices/${p.officeId}/slots`, { serviceIds: p.serviceIds, start: p.start, end: p.end, slotMinutes: 10, capacity: 1 }, admin);
          if (r.status !== 201) throw new Error(`publishing for ${p.officeId}: ${r.status} ${JSON.stringify(r.json)}`);
          return { created: (r.json as { created: number }).created, ms: Date.now() - t0 };
        }),
      );
      const publishedMs = Date.now() - t0;
      const created = responses.reduce((a, r) => a + r.created, 0);
      const { rows } = await pool.query<{ alarm_id: string; id: string }>(`SELECT alarm_id, id FROM alarm_offers WHERE created_at >= to_timestamp($1 / 1000.0) - interval '1 second'`, [t0]);
      const expected = new Set(rows.map((r) => `<alarm-${r.alarm_id}.offer-${r.id}@amtsweg>`));
      log(`alarms: ${created} slots published in ${publishedMs} ms; ${expected.size} offers; polling the mail sink`);
      const seen = new Map<string, number>();
      const deadline = t0 + MAIL_TIMEOUT_MS;
      while (seen.size < expected.size && Date.now() < deadline) {
        await sleep(250);
        const mails = (await (await fetch(`${mailWeb}/email`)).json()) as SinkMail[];
        for (const m of mails) {
          const id = messageIdOf(m);
          if (expected.has(id) && !seen.has(id)) seen.set(id, Date.parse(m.time ?? m.date ?? '') || Date.now());
        }
      }
      const lat = [...seen.values()].map((at) => at - t0);
      return {
        slotsPublished: created,
        publishRequests: plan.length,
        publishResponseMs: { p50: pct(responses.map((r) => r.ms), 50), max: publishedMs },
        offers: expected.size,
        offerMailsDelivered: seen.size,
        totalMs: seen.size === expected.size && lat.length > 0 ? Math.max(...lat) : null,
        p50Ms: round(pct(lat, 50), 0),
        p95Ms: round(pct(lat, 95), 0),
        firstMs: lat.length ? Math.min(...lat) : null,
      };
    });
    log(`alarms: ${terminalarm.offerMailsDelivered}/${terminalarm.offers} offer mails, total ${terminalarm.totalMs} ms, p50 ${terminalarm.p50Ms} ms`);

    // --- report ------------------------------------------------------------------------------
    const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
    const pad = (s: string | number, n: number) => String(s).padStart(n);
    const lines = [
      '',
      `amtsweg bench:appointments — ${CONCURRENCY} in flight, ${DURATION} s per phase; API and worker as child processes; ${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
      `${'what'.padEnd(44)}${pad('per s', 9)}${pad('p50 ms', 9)}${pad('p95 ms', 9)}${pad('p99 ms', 9)}${pad('ok/total', 12)}  target`,
      `${'bare Temporal (1 workflow + 1 activity)'.padEnd(44)}${pad(ceiling.okPerSec, 9)}${pad(ceiling.p50, 9)}${pad(ceiling.p95, 9)}${pad(ceiling.p99, 9)}${pad(`${ceiling.ok}/${ceiling.total}`, 12)}  ceiling`,
      `${'holds, sustained (closed loop)'.padEnd(44)}${pad(booking.sustained.okPerSec, 9)}${pad(booking.sustained.p50, 9)}${pad(booking.sustained.p95, 9)}${pad(booking.sustained.p99, 9)}${pad(`${booking.sustained.ok}/${booking.sustained.total}`, 12)}  ≥ ${TARGET.holdsPerSec}/s ${verdict(booking.sustained.okPerSec >= TARGET.holdsPerSec)} (${round((booking.sustained.okPerSec / ceiling.okPerSec) * 100, 0)} % of ceiling)`,
      `${`holds at half rate (${booking.halfRate.rate}/s, open loop)`.padEnd(44)}${pad(booking.halfRate.okPerSec, 9)}${pad(booking.halfRate.p50, 9)}${pad(booking.halfRate.p95, 9)}${pad(booking.halfRate.p99, 9)}${pad(`${booking.halfRate.ok}/${booking.halfRate.total}`, 12)}  p95 ≤ ${TARGET.p95HalfRateMs} ms ${verdict(booking.halfRate.p95 <= TARGET.p95HalfRateMs)}`,
      `race: ${race.created}/${race.expectedCreated} holds on ${race.slots} slots of capacity 2 (${race.conflicts} × 409); double bookings: ${doubleBookings.slotsOverCapacity} over capacity, ${doubleBookings.slotsWithMoreAppointmentsThanCapacity} with more appointments than seats, ${doubleBookings.slotsWhereBookedDiffersFromHolders} booked≠holders — ${verdict(doubleBookings.slotsOverCapacity === 0 && doubleBookings.slotsWithMoreAppointmentsThanCapacity === 0)}`,
      `Terminalarm: ${ALARMS} alarms (${starts.started} workflows running: those that can match), ${terminalarm.slotsPublished} slots published in ${terminalarm.publishRequests} concurrent requests (${terminalarm.publishResponseMs.max} ms), ${terminalarm.offers} offers`,
      `  offer mails delivered ${terminalarm.offerMailsDelivered}/${terminalarm.offers}: all within ${terminalarm.totalMs ?? '—'} ms (≤ ${TARGET.alarmTotalMs} ${verdict(terminalarm.totalMs !== null && terminalarm.totalMs <= TARGET.alarmTotalMs)}), publish→mail p50 ${terminalarm.p50Ms} ms (≤ ${TARGET.alarmP50Ms} ${verdict(terminalarm.p50Ms <= TARGET.alarmP50Ms)}), p95 ${terminalarm.p95Ms} ms, first ${terminalarm.firstMs} ms`,
      `load average (1 min) while measuring: ${Object.entries(phaseLoad)
        .filter(([k]) => ['ceiling', 'booking', 'terminalarm'].includes(k))
        .map(([k, v]) => `${k} ${v.after[0]}`)
        .join(', ')}; 5-s samples max ${round(Math.max(...loadSamples), 2)}`,
      '',
    ];
    process.stdout.write(lines.join('\n'));

    const file = writeBenchResults(root, 'appointments', {
      machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadavgSamples1m: loadSamples.map((l) => round(l, 2)), phaseLoad },
      setup: {
        concurrency: CONCURRENCY,
        durationSeconds: DURATION,
        warmupSeconds: WARMUP,
        processes: 'API and worker as child processes; bench client, load generator and the ceiling worker in the bench process',
        temporal: process.env.TEMPORAL_ADDRESS ? 'TEMPORAL_ADDRESS' : `dev server (SQLite${BENCH_TEMPORAL_DIR === 'disk' ? ' on disk' : ` in ${BENCH_TEMPORAL_DIR}`})`,
        database: process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded (fsync off)',
        booking: { service: bookingService, offices: bookingOffices.length, slots: seedBooking.created, seedMs: seedBooking.ms },
        alarms: { rows: ALARMS, services, offices: offices.length, workflowsStarted: starts, seedMs: seedAlarms.ms, publicationDay: pubDay, plannedSlots },
      },
      targets: TARGET,
      ceiling,
      booking,
      race,
      doubleBookings,
      terminalarm,
    });
    log(`results written to ${file}`);
  } finally {
    for (const c of cleanup) await c().catch((e: unknown) => log(`cleanup: ${String(e)}`));
  }
}

runBench(main);
