import { createHash, randomUUID } from 'node:crypto';
import { activityInfo } from '@temporalio/activity';
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { AlarmMailInput, ResolveAlarmOfferInput, ResolveAlarmOfferResult } from '../../activities';
import type { AlarmStatus } from '../../libs/domain/src/appointments/alarm';
import { uniqueTaskQueue } from '../../test/support/temporal';
import { alarmStateQuery, alarmWorkflowId, declineOfferUpdate, extendAlarmUpdate, offerSignal } from './appointment-alarm.contract';
import type { AlarmWorkflowInput, OfferNotice } from './appointment-alarm.contract';
import { appointmentAlarm } from './appointment-alarm.workflow';
import { eventually } from '../../test/support/eventually';

// The Terminalarm workflow on Temporal's time-skipping test server with in-memory activities that
// record every call with the server time it was scheduled at. The fake resolveAlarmOffer plays the
// matcher: it passes the released seat to the next alarm in `queue` by signalling its workflow.
const wrapper = process.env.TEMPORAL_TEST_SERVER_PATH;
const MINUTE = 60_000;
const DAY = 86_400_000;

interface Calls {
  resolve: Array<ResolveAlarmOfferInput & { at: number }>;
  close: Array<{ to: string; at: number }>;
  mails: Array<AlarmMailInput & { at: number }>;
}
const calls = new Map<string, Calls>();
const statusOf = new Map<string, AlarmStatus>();
const offerOwner = new Map<string, string>();
/** Alarm ids waiting for the next seat, in order of creation. */
let queue: string[] = [];
/** Runs inside resolveAlarmOffer of that alarm, after its offer is resolved in "PostgreSQL" (another matcher's race). */
const duringResolve = new Map<string, () => Promise<void>>();
const callsOf = (alarmId: string): Calls => {
  let c = calls.get(alarmId);
  if (!c) calls.set(alarmId, (c = { resolve: [], close: [], mails: [] }));
  return c;
};
const scheduledAt = () => activityInfo().currentAttemptScheduledTimestampMs;
const iso = (t: number) => new Date(t).toISOString();

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let taskQueue: string;

async function offerTo(alarmId: string, offerId = randomUUID(), slotId = randomUUID()): Promise<OfferNotice> {
  const now = await env.currentTimeMs();
  const notice: OfferNotice = { offerId, slotId, officeId: 'buergeramt-rathaus-neukoelln', start: iso(now + 3 * DAY), end: iso(now + 3 * DAY + 10 * MINUTE), expiresAt: iso(now + 30 * MINUTE) };
  offerOwner.set(offerId, alarmId);
  statusOf.set(alarmId, 'offered');
  queue = queue.filter((a) => a !== alarmId);
  await env.client.workflow.getHandle(alarmWorkflowId(alarmId)).signal(offerSignal, notice);
  return notice;
}

const fakeActivities = {
  async resolveAlarmOffer(input: ResolveAlarmOfferInput): Promise<ResolveAlarmOfferResult> {
    const alarmId = offerOwner.get(input.offerId)!;
    callsOf(alarmId).resolve.push({ ...input, at: scheduledAt() });
    statusOf.set(alarmId, 'active');
    const hook = duringResolve.get(alarmId);
    duringResolve.delete(alarmId);
    await hook?.();
    const next = queue.shift();
    const nextOffer = next ? await offerTo(next) : null;
    queue.push(alarmId);
    return { changed: true, status: input.to, nextOfferId: nextOffer?.offerId ?? null };
  },
  async acceptAlarmOffer(): Promise<never> {
    throw new Error('not used here (integration test)');
  },
  async closeAlarm(input: { alarmId: string; to: 'expired' | 'cancelled' }) {
    callsOf(input.alarmId).close.push({ to: input.to, at: scheduledAt() });
    const now = statusOf.get(input.alarmId) ?? 'active';
    if (now !== 'active') return { changed: false, status: now, openOffer: null };
    statusOf.set(input.alarmId, input.to);
    return { changed: true, status: input.to, openOffer: null };
  },
  async extendAlarm() {
    return { expiresAt: iso(scheduledAt() + 3 * DAY), extendedCount: 1 };
  },
  async sendAlarmMail(input: AlarmMailInput) {
    callsOf(input.alarmId).mails.push({ ...input, at: scheduledAt() });
    return { messageId: `<alarm-${input.alarmId}.${input.kind}-${input.key}@amtsweg>`, status: 'sent' as const, attempts: 1, recorded: true };
  },
};

beforeAll(async () => {
  if (!wrapper) throw new Error('TEMPORAL_TEST_SERVER_PATH is not set (test/global-setup.ts ensures the test server)');
  Runtime.install({ logger: new DefaultLogger('WARN') });
  env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: wrapper } } });
  taskQueue = uniqueTaskQueue('alarm');
  worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath: require.resolve('./appointment-alarm.workflow'), activities: fakeActivities });
  running = worker.run();
});

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
  await env?.teardown();
});

const TOKEN = 'y'.repeat(43);
const TOKEN_HASH = createHash('sha256').update(TOKEN).digest('hex');

async function startAlarm(lifetimeMs: number): Promise<{ alarmId: string; handle: WorkflowHandle<typeof appointmentAlarm> }> {
  const alarmId = randomUUID();
  const input: AlarmWorkflowInput = {
    alarmId,
    serviceId: 'anmeldung-wohnung',
    expiresAt: iso((await env.currentTimeMs()) + lifetimeMs),
    email: 'erika@example.org',
    name: 'Erika Mustermann',
    token: TOKEN,
    tokenHash: TOKEN_HASH,
    timing: { lifetime: 'P3D', expiryWarning: 'P1D', appointment: { hold: 'PT15M', confirmWindow: 'PT10M', reminderLead: 'PT2H' } },
  };
  statusOf.set(alarmId, 'active');
  queue.push(alarmId);
  const handle = await env.client.workflow.start(appointmentAlarm, { workflowId: alarmWorkflowId(alarmId), taskQueue, args: [input] });
  return { alarmId, handle };
}

const offerMails = (alarmId: string) => callsOf(alarmId).mails.filter((m) => m.kind === 'offer');

// Keep the expiry test first: env.sleep() after the lapse test's terminated workflows has been seen to hang.
describe('appointmentAlarm workflow (time-skipping)', () => {
  beforeEach(() => {
    queue = [];
  });

  it('warns before the expiry, can be extended by link, and expires at expires_at', async () => {
    const { alarmId, handle } = await startAlarm(2 * DAY);
    const started = Date.parse((await handle.query(alarmStateQuery)).expiresAt) - 2 * DAY;
    await env.sleep(DAY + MINUTE);
    await eventually(() => callsOf(alarmId).mails.length === 1, 'the expiry warning');
    const warn = callsOf(alarmId).mails[0]!;
    expect(warn).toMatchObject({ kind: 'expiring', key: 0, token: TOKEN });
    expect(warn.at - started).toBeGreaterThanOrEqual(DAY);
    expect(warn.at - started).toBeLessThan(DAY + MINUTE);

    const r = await handle.executeUpdate(extendAlarmUpdate, { args: [{ tokenHash: TOKEN_HASH }] });
    const extendedTo = Date.parse(r.expiresAt);
    expect(extendedTo).toBeGreaterThan(started + 2 * DAY);

    expect(await handle.result()).toEqual({ alarmId, status: 'expired' });
    const c = callsOf(alarmId);
    expect(c.close).toHaveLength(1);
    expect(c.close[0]!.to).toBe('expired');
    expect(c.close[0]!.at).toBeGreaterThanOrEqual(extendedTo);
    expect(c.mails.map((m) => `${m.kind}-${m.key}`)).toEqual(['expiring-0', 'expiring-1']);
    expect(c.mails[1]!.at).toBeGreaterThanOrEqual(extendedTo - DAY);
  });

  it('mails an offer once, lets it lapse after ALARM_OFFER_HOLD, and the seat moves on to the next alarm', async () => {
    const a = await startAlarm(30 * DAY);
    const b = await startAlarm(30 * DAY);
    const offer = await offerTo(a.alarmId);
    const offeredAt = Date.parse(offer.expiresAt) - 30 * MINUTE;
    await a.handle.signal(offerSignal, offer); // a duplicate signal (matcher retry) mails nothing more
    await eventually(() => offerMails(a.alarmId).length === 1, 'the offer mail');
    expect(offerMails(a.alarmId)[0]).toMatchObject({ key: offer.offerId, token: TOKEN });
    expect(await a.handle.query(alarmStateQuery)).toMatchObject({ status: 'offered', offer: { offerId: offer.offerId } });

    await env.sleep(31 * MINUTE);
    await eventually(() => callsOf(a.alarmId).resolve.length === 1, 'the lapse');
    const lapse = callsOf(a.alarmId).resolve[0]!;
    expect(lapse).toMatchObject({ offerId: offer.offerId, to: 'lapsed' });
    expect(lapse.at - offeredAt).toBeGreaterThanOrEqual(30 * MINUTE);
    expect(lapse.at - offeredAt).toBeLessThan(31 * MINUTE);
    expect(await a.handle.query(alarmStateQuery)).toMatchObject({ status: 'active', offer: null });

    // the next alarm in the queue got the seat
    await eventually(() => offerMails(b.alarmId).length === 1, 'the next alarm’s offer mail');
    expect((await b.handle.query(alarmStateQuery)).status).toBe('offered');
    expect(offerMails(a.alarmId)).toHaveLength(1);

    // b declines: b keeps waiting, the seat goes back to the queue (a, waiting longest again)
    const bOffer = (await b.handle.query(alarmStateQuery)).offer!;
    expect(await b.handle.executeUpdate(declineOfferUpdate, { args: [{ offerId: bOffer.offerId, tokenHash: TOKEN_HASH }] })).toEqual({ status: 'active' });
    expect(callsOf(b.alarmId).resolve[0]).toMatchObject({ offerId: bOffer.offerId, to: 'declined' });
    await eventually(() => offerMails(a.alarmId).length === 2, 'a second offer to the first alarm');
    await a.handle.terminate('test done');
    await b.handle.terminate('test done');
  });

  it('takes an offer that arrives while its previous offer is still being resolved (a matcher saw the alarm active already)', async () => {
    const a = await startAlarm(30 * DAY);
    const first = await offerTo(a.alarmId);
    await eventually(() => offerMails(a.alarmId).length === 1, 'the first offer mail');
    let second: OfferNotice | undefined;
    // another seat's matcher picks this alarm between the commit of the decline and its result reaching the workflow
    duringResolve.set(a.alarmId, async () => {
      second = await offerTo(a.alarmId);
    });
    expect(await a.handle.executeUpdate(declineOfferUpdate, { args: [{ offerId: first.offerId, tokenHash: TOKEN_HASH }] })).toEqual({ status: 'active' });
    await eventually(() => offerMails(a.alarmId).length === 2, 'the second offer mail');
    expect(offerMails(a.alarmId).map((m) => m.key)).toEqual([first.offerId, second!.offerId]);
    expect(await a.handle.query(alarmStateQuery)).toMatchObject({ status: 'offered', offer: { offerId: second!.offerId } });
    await a.handle.terminate('test done');
  });

  it('refuses an extension with a wrong token without a trace', async () => {
    const { handle } = await startAlarm(10 * DAY);
    await expect(handle.executeUpdate(extendAlarmUpdate, { args: [{ tokenHash: 'f'.repeat(64) }] })).rejects.toThrow();
    expect((await handle.query(alarmStateQuery)).status).toBe('active');
    await handle.terminate('test done');
  });
});
