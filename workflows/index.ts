/**
 * The worker's workflowsPath: every exported function here is registered as a workflow type.
 * Export workflow functions only (no helpers, no contracts — those are imported from their
 * *.contract.ts files directly).
 */
export { smokeWorkflow } from './system/smoke.workflow';
export { mailSequenceWorkflow } from './system/mail-sequence.workflow';
export { caseRetentionSweep } from './system/case-retention.workflow';
export { bewohnerparkenWorkflow } from './bewohnerparken/bewohnerparken.workflow';
export { appointmentWorkflow } from './appointment/appointment.workflow';
export { appointmentAlarm } from './appointment-alarm/appointment-alarm.workflow';
export { gewerbeanmeldung } from './gewerbe/gewerbeanmeldung.workflow';
export { wohngeldApplication } from './wohngeld/wohngeld.workflow';
