/**
 * Human tasks (DESIGN.md "Shared building blocks"): the vocabulary shared by the workflow building
 * block (workflows/shared/human-task.ts), the activities, the repository and the inbox API.
 * Pure TypeScript, safe in workflows.
 */

/** open: waiting in the group's inbox; claimed: a caseworker holds it; completed / cancelled: over. */
export const TASK_STATUSES = ['open', 'claimed', 'completed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export function isOpenTaskStatus(status: TaskStatus): boolean {
  return status === 'open' || status === 'claimed';
}

/** The inbox views: claimed by me, everything open of my groups, or what nobody holds yet. */
export const TASK_SCOPES = ['mine', 'group', 'unassigned'] as const;
export type TaskScope = (typeof TASK_SCOPES)[number];

/**
 * Stable `reason`s of task rejections (problem documents and ApplicationFailure details), so a
 * client can tell them apart without parsing messages.
 */
export const TASK_REJECTIONS = {
  unknownTask: 'unknown_task',
  taskClosed: 'task_closed',
  claimedByOther: 'claimed_by_other',
  notClaimed: 'not_claimed',
  outcomeNotAllowed: 'outcome_not_allowed',
  formInvalid: 'form_invalid',
  fourEyes: 'four_eyes',
  notCaseworker: 'not_a_caseworker',
} as const;
export type TaskRejection = (typeof TASK_REJECTIONS)[keyof typeof TASK_REJECTIONS];

/** Task keys and types: short, stable identifiers chosen by the process author (no personal data). */
export const TASK_KEY_PATTERN = /^[a-z0-9][a-z0-9._:-]{0,99}$/i;
