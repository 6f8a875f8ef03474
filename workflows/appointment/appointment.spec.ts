import { createHash, randomUUID } from 'node:crypto';
import { activityInfo } from '@temporalio/activity';
import { WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type {
  AppointmentMailInput,
  FreedSlotEvent,
  HeldSlot,
  HoldSlotInput,
  ReleaseSlotInput,
  ReleaseSlotResult,
  RescheduleSlotInput,
  RescheduleSlotResult,
  SlotRouting,
  TransitionAppointmentInput,
} from '../../activities';
import { uniqueTaskQueue } from '../../test/support/temporal';
import {
  appointmentStateQuery,
  appointmentWorkflowId,
  attendanceUpdate,
  cancelUpdate,
  confirmUpdate,
  holdUpdate,
  rescheduleUpdate,
} from './appointment.contract';
import type { AppointmentWorkflowInput, HoldResult } from './appointment.contract';
import { appointmentWorkflow } from './appointment.workflow';
import { eventually } from '../../test/support/eventually';

// The appointment workflow on Temporal's time-skipping test server with in-memory activities that
// record every call (with the server time it was scheduled at): holds of 15 minutes, reminders a
// day ahead and end-of-day closing take seconds of wall time.
const wrapper = process.env.TEMPORAL_TEST_SERVER_PATH;

interface Slot {
  slotId: string;
  officeId: string;
  start: number;
  end: number;
}
interface Calls {
  hold: HoldSlotInput[];
  release: ReleaseSlotInput[];
  transition: TransitionAppointmentInput[];
  reschedule: RescheduleSlotInput[];
  freed: FreedSlotEvent[];
  mails: Array<AppointmentMailInput & { at: number }>;
}
const calls = new Map<string, Calls>();
const slotOf = new Map<string, Slot>();
const slotsById = new Map<string, Slot>();
const takenSlots = new Set<string>();
const statusOf = new Map<string, string>();
function callsOf(appointmentId: string): Calls {
  let c = calls.get(appointmentId);
  if (!c) calls.set(appointmentId, (c = { hold: [], release: [], transition: [], reschedule: [], freed: [], mails: [] }));
  return c;
}
const scheduledAt = () => activityInfo().currentAttemptScheduledTimestampMs;
const iso = (t: number) => new Date(t).toISOString();

const fakeActivities = {
  async holdAppointmentSlot(input: HoldSlotInput): Promise<HeldSlot> {
    callsOf(input.appointmentId).hold.push(input);
    if (takenSlots.has(input.slotId)) {
      throw ApplicationFailure.create({ type: 'CONFLICT', message: 'This slot has just been taken.', nonRetryable: true, details: [{ reason: 'slot_taken' }] });
    }
    const s = slotsById.get(input.slotId)!;
    slotOf.set(input.appointmentId, s);
    statusOf.set(input.appointmentId, 'reserved');
    const holdExpiresAt = Math.min(Date.parse(input.holdExpiresAt), s.start);
    return { appointmentId: input.appointmentId, slotId: s.slotId, officeId: s.officeId, serviceId: input.serviceId, start: iso(s.start), end: iso(s.end), status: 'reserved', holdExpiresAt: iso(holdExpiresAt), created: true };
  },
  async extendAppointmentHold(input: { appointmentId: string; holdExpiresAt: string }) {
    return { holdExpiresAt: input.holdExpiresAt };
  },
  async transitionAppointment(input: TransitionAppointmentInput) {
    callsOf(input.appointmentId).transition.push(input);
    const now = statusOf.get(input.appointmentId)!;
    if (!input.from.includes(now as never)) return { changed: false, status: now as never };
    statusOf.set(input.appointmentId, input.to);
    return { changed: true, status: input.to };
  },
  async releaseAppointmentSlot(input: ReleaseSlotInput): Promise<ReleaseSlotResult> {
    callsOf(input.appointmentId).release.push(input);
    const now = statusOf.get(input.appointmentId)!;
    if (!input.from.includes(now as never)) return { changed: false, status: now as never, freed: null };
    statusOf.set(input.appointmentId, input.to);
    const s = slotOf.get(input.appointmentId)!;
    const freed: FreedSlotEvent = { slotId: s.slotId, officeId: s.officeId, start: iso(s.start), end: iso(s.end), serviceIds: ['anmeldung-wohnung'], publicAt: iso(scheduledAt() + 15 * 60_000), withheld: true, reason: input.to, appointmentId: input.appointmentId };
    return { changed: true, status: input.to, freed };
  },
  async rescheduleAppointmentSlot(input: RescheduleSlotInput): Promise<RescheduleSlotResult> {
    callsOf(input.appointmentId).reschedule.push(input);
    if (takenSlots.has(input.newSlotId)) throw ApplicationFailure.create({ type: 'CONFLICT', message: 'This slot has just been taken.', nonRetryable: true, details: [{ reason: 'slot_taken' }] });
    const old = slotOf.get(input.appointmentId)!;
    const s = slotsById.get(input.newSlotId)!;
    slotOf.set(input.appointmentId, s);
    const freed: FreedSlotEvent = { slotId: old.slotId, officeId: old.officeId, start: iso(old.start), end: iso(old.end), serviceIds: ['anmeldung-wohnung'], publicAt: null, withheld: false, reason: 'rescheduled', appointmentId: input.appointmentId };
    return { changed: true, status: statusOf.get(input.appointmentId) as never, slot: { slotId: s.slotId, officeId: s.officeId, start: iso(s.start), end: iso(s.end) }, holdExpiresAt: null, freed };
  },
  async onSlotFreed(input: FreedSlotEvent): Promise<SlotRouting> {
    callsOf(input.appointmentId).freed.push(input);
    return { slotId: input.slotId, route: 'public', publicAt: input.publicAt };
  },
  async sendAppointmentMail(input: AppointmentMailInput) {
    callsOf(input.appointmentId).mails.push({ ...input, at: scheduledAt() });
    return { messageId: `<appointment-${input.appointmentId}.${input.kind}@amtsweg>`, status: 'sent' as const, attempts: 1, recorded: true };
  },
};

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let taskQueue: string;

beforeAll(async () => {
  if (!wrapper) throw new Error('TEMPORAL_TEST_SERVER_PATH is not set (test/global-setup.ts ensures the test server)');
  Runtime.install({ logger: new DefaultLogger('WARN') });
  env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: wrapper } } });
  taskQueue = uniqueTaskQueue('appointment');
  worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath: require.resolve('./appointment.workflow'), activities: fakeActivities });
  running = worker.run();
});

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
  await env?.teardown();
});

const TOKEN = 'x'.repeat(43);
const TOKEN_HASH = createHash('sha256').update(TOKEN).digest('hex');
const MINUTE = 60_000;

/** A slot `inMs` from the test server's now, 10 minutes long. */
async function newSlot(inMs: number): Promise<Slot> {
  const now = await env.currentTimeMs();
  const s = { slotId: randomUUID(), officeId: 'buergeramt-rathaus-neukoelln', start: now + inMs, end: now + inMs + 10 * MINUTE };
  slotsById.set(s.slotId, s);
  return s;
}

async function book(slot: Slot): Promise<{ appointmentId: string; handle: WorkflowHandle<typeof appointmentWorkflow>; held: HoldResult }> {
  const appointmentId = randomUUID();
  const input: AppointmentWorkflowInput = {
    appointmentId,
    slotId: slot.slotId,
    serviceId: 'anmeldung-wohnung',
    email: 'erika@example.org',
    name: 'Erika Mustermann',
    token: TOKEN,
    tokenHash: TOKEN_HASH,
    timing: { hold: 'PT15M', confirmWindow: 'PT10M', reminderLead: 'PT2H' },
  };
  const op = new WithStartWorkflowOperation(appointmentWorkflow, { workflowId: appointmentWorkflowId(appointmentId), taskQueue, args: [input], workflowIdConflictPolicy: 'USE_EXISTING' });
  const held = await env.client.workflow.executeUpdateWithStart(holdUpdate, { startWorkflowOperation: op });
  return { appointmentId, handle: await op.workflowHandle(), held };
}

const mailKinds = (id: string) => callsOf(id).mails.map((m) => m.kind);

async function rejection(p: Promise<unknown>): Promise<{ type: string | undefined | null; details: unknown }> {
  const err = await p.then(
    () => {
      throw new Error('expected the Update to be rejected');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return { type: cause.type, details: cause.details?.[0] };
}

describe('appointment workflow (time-skipping)', () => {
  it('holds through update-with-start, and releases the seat exactly once when the hold lapses', async () => {
    const slot = await newSlot(3 * 86_400_000);
    const before = await env.currentTimeMs();
    const { appointmentId, handle, held } = await book(slot);
    expect(held).toMatchObject({ appointmentId, status: 'reserved', slotId: slot.slotId, officeId: slot.officeId, start: iso(slot.start) });
    expect(Math.abs(Date.parse(held.holdExpiresAt) - (before + 15 * MINUTE))).toBeLessThan(MINUTE);
    await eventually(() => mailKinds(appointmentId).includes('confirmation'), 'the confirmation mail');
    expect(callsOf(appointmentId).mails[0]).toMatchObject({ kind: 'confirmation', generation: 0, token: TOKEN });
    expect((await handle.query(appointmentStateQuery)).phase).toBe('reserved');

    expect(await handle.result()).toEqual({ appointmentId, status: 'expired' }); // the server skips the 15 minutes
    const c = callsOf(appointmentId);
    expect(c.release).toEqual([{ appointmentId, from: ['reserved'], to: 'expired' }]);
    expect(c.freed).toHaveLength(1);
    expect(c.freed[0]).toMatchObject({ slotId: slot.slotId, reason: 'expired', withheld: true });
    expect(c.transition).toHaveLength(0);
    expect(mailKinds(appointmentId)).toEqual(['confirmation', 'expired']);
    // it expired at the hold deadline, not earlier or later
    const expiredMail = c.mails[1]!;
    expect(Math.abs(expiredMail.at - Date.parse(held.holdExpiresAt))).toBeLessThan(MINUTE);
  });

  it('confirms before the hold lapses (wrong token refused without a trace); nothing is released afterwards', async () => {
    const slot = await newSlot(3 * 86_400_000);
    const { appointmentId, handle } = await book(slot);
    await eventually(() => mailKinds(appointmentId).includes('confirmation'), 'the confirmation mail');
    await env.sleep('10 minutes');

    const wrong = await rejection(handle.executeUpdate(confirmUpdate, { args: [{ tokenHash: '0'.repeat(64) }] }));
    expect(wrong.type).toBe('NOT_FOUND');
    expect(await handle.executeUpdate(confirmUpdate, { args: [{ tokenHash: TOKEN_HASH }] })).toEqual({ status: 'confirmed' });
    expect(await handle.executeUpdate(confirmUpdate, { args: [{ tokenHash: TOKEN_HASH }] })).toEqual({ status: 'confirmed' }); // idempotent
    expect(callsOf(appointmentId).transition).toEqual([{ appointmentId, from: ['reserved'], to: 'confirmed' }]);
    await eventually(() => mailKinds(appointmentId).includes('confirmed'), 'the confirmed mail');

    await env.sleep('1 hour'); // well past the hold
    expect(callsOf(appointmentId).release).toHaveLength(0);
    expect((await handle.query(appointmentStateQuery)).phase).toBe('confirmed');
    const history = await handle.fetchHistory();
    expect((history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(3); // hold + 2 confirms, not the refused one
    await handle.terminate('test done');
  });

  it('refuses a confirmation after the hold lapsed (GONE) — the seat was released exactly once', async () => {
    const slot = await newSlot(3 * 86_400_000);
    const { appointmentId, handle } = await book(slot);
    await eventually(() => mailKinds(appointmentId).includes('confirmation'), 'the confirmation mail');
    await env.sleep('14 minutes');
    const state = await handle.query(appointmentStateQuery);
    expect(state.phase).toBe('reserved');
    await env.sleep('2 minutes');
    await eventually(() => callsOf(appointmentId).release.length > 0, 'the release');
    const late = await handle.executeUpdate(confirmUpdate, { args: [{ tokenHash: TOKEN_HASH }] }).then(
      () => 'accepted',
      (e: unknown) => e,
    );
    expect(late).not.toBe('accepted'); // GONE from the validator, or the workflow is over already
    expect((await handle.result()).status).toBe('expired');
    expect(callsOf(appointmentId).release).toHaveLength(1);
    expect(callsOf(appointmentId).transition).toHaveLength(0);
  });

  it('sends the reminder at start − lead time, then takes the attendance from the appointment day on', async () => {
    const slot = await newSlot(86_400_000 + 3 * 3_600_000); // tomorrow-ish
    const { appointmentId, handle } = await book(slot);
    await handle.executeUpdate(confirmUpdate, { args: [{ tokenHash: TOKEN_HASH }] });

    const early = await rejection(handle.executeUpdate(attendanceUpdate, { args: [{ attended: true, by: { sub: 'cw-1', roles: ['caseworker'] } }] }));
    expect(early).toMatchObject({ type: 'CONFLICT', details: { reason: 'attendance_too_early' } });
    const citizen = await rejection(handle.executeUpdate(attendanceUpdate, { args: [{ attended: true, by: { sub: 'c-1', roles: ['citizen'] } }] }));
    expect(citizen.type).toBe('FORBIDDEN');

    const reminderAt = slot.start - 2 * 3_600_000;
    await env.sleep(reminderAt - (await env.currentTimeMs()) - 5 * MINUTE);
    await new Promise((r) => setTimeout(r, 300));
    expect(mailKinds(appointmentId)).not.toContain('reminder');
    await env.sleep(10 * MINUTE);
    const reminder = await eventually(() => callsOf(appointmentId).mails.find((m) => m.kind === 'reminder'), 'the reminder');
    expect(Math.abs(reminder.at - reminderAt)).toBeLessThan(MINUTE);
    expect(reminder).toMatchObject({ generation: 0, token: TOKEN });

    await env.sleep(2 * 3_600_000); // the appointment time
    expect(await handle.executeUpdate(attendanceUpdate, { args: [{ attended: false, by: { sub: 'cw-1', roles: ['caseworker'] } }] })).toEqual({ status: 'missed', attended: false });
    expect(await handle.result()).toEqual({ appointmentId, status: 'missed' });
    expect(callsOf(appointmentId).transition.at(-1)).toEqual({ appointmentId, from: ['confirmed'], to: 'missed', attended: false });
    expect(mailKinds(appointmentId).filter((k) => k === 'reminder')).toHaveLength(1);
  });

  it('cancel frees the seat through the alarm seam (onSlotFreed) and mails the cancellation', async () => {
    const slot = await newSlot(5 * 86_400_000);
    const { appointmentId, handle } = await book(slot);
    await handle.executeUpdate(confirmUpdate, { args: [{ tokenHash: TOKEN_HASH }] });
    const wrong = await rejection(handle.executeUpdate(cancelUpdate, { args: [{ tokenHash: 'f'.repeat(64) }] }));
    expect(wrong.type).toBe('NOT_FOUND');
    expect(await handle.executeUpdate(cancelUpdate, { args: [{ tokenHash: TOKEN_HASH }] })).toEqual({ status: 'cancelled' });
    expect(await handle.result()).toEqual({ appointmentId, status: 'cancelled' });
    const c = callsOf(appointmentId);
    expect(c.release).toEqual([{ appointmentId, from: ['reserved', 'confirmed'], to: 'cancelled' }]);
    expect(c.freed).toEqual([expect.objectContaining({ slotId: slot.slotId, reason: 'cancelled', appointmentId })]);
    expect(mailKinds(appointmentId)).toEqual(['confirmation', 'confirmed', 'cancelled']);
    expect(c.mails.find((m) => m.kind === 'cancelled')!.token).toBeUndefined(); // no links in a cancellation
  });

  it('a taken slot rejects the hold with CONFLICT, and the workflow ends without touching anything else', async () => {
    const slot = await newSlot(86_400_000);
    takenSlots.add(slot.slotId);
    const appointmentId = randomUUID();
    const op = new WithStartWorkflowOperation(appointmentWorkflow, {
      workflowId: appointmentWorkflowId(appointmentId),
      taskQueue,
      workflowIdConflictPolicy: 'USE_EXISTING',
      args: [{ appointmentId, slotId: slot.slotId, serviceId: 'anmeldung-wohnung', email: 'a@example.org', name: 'A', token: TOKEN, tokenHash: TOKEN_HASH, timing: { hold: 'PT15M', confirmWindow: 'PT10M', reminderLead: 'PT2H' } }],
    });
    const err = await env.client.workflow.executeUpdateWithStart(holdUpdate, { startWorkflowOperation: op }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('CONFLICT');
    expect(cause.details?.[0]).toEqual({ reason: 'slot_taken' });
    expect(await (await op.workflowHandle()).result()).toEqual({ appointmentId, status: 'rejected', reason: 'CONFLICT' });
    expect(callsOf(appointmentId).mails).toHaveLength(0);
    expect(callsOf(appointmentId).release).toHaveLength(0);
  });

  it('reschedules (new seat first, old one freed), reminds for the new slot, and closes an unrecorded day as completed', async () => {
    const first = await newSlot(4 * 86_400_000);
    const second = await newSlot(2 * 86_400_000);
    const taken = await newSlot(3 * 86_400_000);
    takenSlots.add(taken.slotId);
    const { appointmentId, handle } = await book(first);
    await handle.executeUpdate(confirmUpdate, { args: [{ tokenHash: TOKEN_HASH }] });

    const same = await rejection(handle.executeUpdate(rescheduleUpdate, { args: [{ tokenHash: TOKEN_HASH, slotId: first.slotId }] }));
    expect(same).toMatchObject({ type: 'INVALID', details: { reason: 'same_slot' } });
    const conflict = await rejection(handle.executeUpdate(rescheduleUpdate, { args: [{ tokenHash: TOKEN_HASH, slotId: taken.slotId }] }));
    expect(conflict).toMatchObject({ type: 'CONFLICT', details: { reason: 'slot_taken' } });

    const moved = await handle.executeUpdate(rescheduleUpdate, { args: [{ tokenHash: TOKEN_HASH, slotId: second.slotId }] });
    expect(moved).toEqual({ appointmentId, status: 'confirmed', slotId: second.slotId, officeId: second.officeId, start: iso(second.start), end: iso(second.end) });
    await eventually(() => callsOf(appointmentId).freed.length === 1, 'the old seat through onSlotFreed');
    expect(callsOf(appointmentId).freed[0]).toMatchObject({ slotId: first.slotId, reason: 'rescheduled' });
    expect(await eventually(() => callsOf(appointmentId).mails.find((m) => m.kind === 'rescheduled'), 'the rescheduled mail')).toMatchObject({ generation: 1, token: TOKEN });

    expect(await handle.result()).toEqual({ appointmentId, status: 'completed' }); // skips to the end of the new slot's day
    const c = callsOf(appointmentId);
    const reminders = c.mails.filter((m) => m.kind === 'reminder');
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.generation).toBe(1);
    expect(Math.abs(reminders[0]!.at - (second.start - 2 * 3_600_000))).toBeLessThan(MINUTE);
    expect(c.transition.at(-1)).toEqual({ appointmentId, from: ['confirmed'], to: 'completed', attended: null });
    expect(c.release).toHaveLength(0);
  });
});
