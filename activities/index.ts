import { createAdapterRegistry } from '../libs/fachverfahren/src/registry';
import { PgAdapterCallStore } from '../libs/fachverfahren/src/stores';
import type { ActivityDeps } from './deps';
import { createAlarmActivities } from './alarms';
import { createAppointmentActivities } from './appointments';
import { createCaseActivities } from './cases';
import { createDocumentActivities } from './documents';
import { createFachverfahrenActivities } from './fachverfahren';
import { createGewerbeActivities } from './gewerbe';
import { createNotifyActivities } from './notify';
import { createRequestActivities } from './requests';
import { createRetentionActivities } from './retention';
import { createSystemActivities } from './system';
import { createTaskActivities } from './tasks';

export type { ActivityDeps } from './deps';
export type { HoldSlotInput, HeldSlot, FreedSlotEvent, SlotFreedReason, ReleaseSlotInput, ReleaseSlotResult, RescheduleSlotInput, RescheduleSlotResult, TransitionAppointmentInput, AppointmentMailInput, AppointmentMailKind, SlotRouting } from './appointments';
export type { ResolveAlarmOfferInput, ResolveAlarmOfferResult, AcceptAlarmOfferResult, AlarmMailInput, AlarmMailKind } from './alarms';
export type { NotificationInput, NotificationResult } from './notify';
export { NOTIFY_FAILURES } from './notify';
export type { PingResult } from './system';
export type { FvSubmitInput, FvStatusInput, FvCancelInput, PaymentStartInput, PaymentStatusInput, PaymentRefundInput } from './fachverfahren';
export { FV_FAILURES } from './fachverfahren';
export type { CreateTaskInput, CreateTaskResult, CompleteTaskRecordInput, CompleteTaskRecordResult, EscalateTaskInput, CancelTaskInput, TaskCompletion } from './tasks';
export { TASK_FAILURES } from './tasks';
export type { OpenCaseRequestsInput, OpenCaseRequestsResult, CloseCaseRequestsInput, CaseRequestView } from './requests';
export type { IssueLetterInput, IssueLetterResult } from './documents';
export type { AssessGewerbeInput, GewerbeAssessmentResult, DeliverRecipientMessageInput, DeliverRecipientMessageResult, MarkDeliveryFailedInput } from './gewerbe';
export type { EraseExpiredCasesInput, EraseExpiredCasesResult } from './retention';
export type { OpenCaseActivityInput, OpenCaseActivityResult, RecordCaseEventInput, RecordCaseEventResult, StoreCaseDocumentInput, StoreCaseDocumentResult, SetCaseDecisionInput } from './cases';

/** Two groups exporting the same activity name would silently shadow each other in the spread. */
function assertDistinctNames(...groups: object[]): void {
  const seen = new Set<string>();
  for (const name of groups.flatMap((g) => Object.keys(g))) {
    if (seen.has(name)) throw new Error(`activity name "${name}" is defined by two capability groups`);
    seen.add(name);
  }
}

/**
 * All activities of amtsweg, one capability group after another (see ActivityDeps for how to add
 * one). Workflows type their proxies with `proxyActivities<Activities>()` via `import type`; the
 * worker registers the object returned here.
 */
export function createActivities(deps: ActivityDeps) {
  const system = createSystemActivities(deps);
  const notify = createNotifyActivities(deps);
  const fachverfahren = createFachverfahrenActivities({ registry: deps.fachverfahren ?? createAdapterRegistry(deps.config), calls: new PgAdapterCallStore(deps.pool) });
  const tasks = createTaskActivities(deps);
  const cases = createCaseActivities(deps);
  const documents = createDocumentActivities(deps);
  const requests = createRequestActivities(deps);
  const retention = createRetentionActivities(deps);
  const appointments = createAppointmentActivities(deps);
  const alarms = createAlarmActivities(deps);
  const gewerbe = createGewerbeActivities(deps);
  assertDistinctNames(system, notify, fachverfahren, tasks, cases, documents, requests, retention, appointments, alarms, gewerbe);
  return { ...system, ...notify, ...fachverfahren, ...tasks, ...cases, ...documents, ...requests, ...retention, ...appointments, ...alarms, ...gewerbe };
}

export type Activities = ReturnType<typeof createActivities>;
