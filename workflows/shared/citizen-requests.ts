/**
 * What the two "the case waits for the citizen" building blocks share — document requests
 * (document-request.ts) and stronger identification (identity.ts): the activities they call and
 * the rounds that are open right now, so that answering one of two parallel requests does not
 * announce PROCESSING while the case still waits for the other.
 *
 * Module state is per workflow execution (Temporal's sandbox isolates workflow globals).
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';

export const requestActivities = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  // database writes and mails: keep trying through an outage; business errors are non-retryable anyway
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Keys of the rounds (request keys) whose citizen answer is still awaited. */
const openRounds = new Set<string>();
/** Every key a round was started with in this workflow: a key names one round only. */
const usedKeys = new Set<string>();

export const REQUEST_KEY_PATTERN = /^[a-z0-9][a-z0-9._-]{0,59}$/;

export function claimRoundKey(key: string, what: string): void {
  if (!REQUEST_KEY_PATTERN.test(key)) throw new Error(`${what}: key ${JSON.stringify(key)} must match ${REQUEST_KEY_PATTERN}`);
  if (usedKeys.has(key)) throw new Error(`${what}: key ${JSON.stringify(key)} is used twice in this workflow`);
  usedKeys.add(key);
}

export function roundOpened(key: string): void {
  openRounds.add(key);
}

export function roundClosed(key: string): void {
  openRounds.delete(key);
}

/** True while another round than `key` still waits for the citizen. */
export function otherRoundsOpen(key: string): boolean {
  return [...openRounds].some((k) => k !== key);
}

/**
 * The citizen answered round `key`: the case goes back to PROCESSING — unless another round still
 * waits, then the entry is recorded without a status change (the case stays ACTION_REQUIRED).
 */
export async function recordAnswered(caseId: string, key: string, text: string): Promise<void> {
  await requestActivities.recordCaseEvent({
    caseId,
    eventKey: `request-${key}-answered`,
    ...(otherRoundsOpen(key) ? {} : { status: 'PROCESSING' as const }),
    audience: 'citizen',
    text,
  });
}
