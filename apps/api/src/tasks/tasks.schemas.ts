import { z } from 'zod';
import { TASK_SCOPES, TASK_STATUSES } from '../../../../libs/domain/src/tasks/task-status';

/** The inbox cursor: the last item's due date and id, base64url-encoded JSON (opaque to clients). */
export interface TaskCursor {
  dueAt: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(c: TaskCursor): string {
  return Buffer.from(JSON.stringify([c.dueAt, c.id])).toString('base64url');
}

export function decodeCursor(s: string): TaskCursor | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (!Array.isArray(v) || v.length !== 2) return undefined;
    const [dueAt, id] = v as unknown[];
    if (typeof dueAt !== 'string' || Number.isNaN(Date.parse(dueAt)) || typeof id !== 'string' || !UUID.test(id)) return undefined;
    return { dueAt, id };
  } catch {
    return undefined;
  }
}

export function isUuid(s: string): boolean {
  return UUID.test(s);
}

const queryBool = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1')
  .optional();

export const taskListQuerySchema = z.object({
  scope: z.enum(TASK_SCOPES).default('group').describe('mine: claimed by me; group: open or claimed in my groups; unassigned: nobody holds it'),
  caseId: z.uuid().optional().describe('Only the tasks of this case'),
  type: z.string().min(1).max(100).optional().describe('Only tasks of this type'),
  sort: z.enum(['due']).default('due').describe('Due date first (the only order)'),
  includeDeferred: queryBool.describe('Also list tasks whose follow-up date lies in the future (group, unassigned)'),
  cursor: z
    .string()
    .max(400)
    .optional()
    .transform((s, ctx): TaskCursor | undefined => {
      if (s === undefined) return undefined;
      const c = decodeCursor(s);
      if (!c) {
        ctx.addIssue({ code: 'custom', message: 'not a cursor of this list (use nextCursor of the previous page)' });
        return z.NEVER;
      }
      return c;
    })
    .describe('nextCursor of the previous page'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type TaskListQueryInput = z.output<typeof taskListQuerySchema>;

const taskSummary = {
  taskId: z.uuid(),
  caseId: z.uuid().nullable(),
  caseNumber: z.string().nullable(),
  type: z.string(),
  title: z.string(),
  group: z.string(),
  assignee: z.string().nullable().describe('Subject of the caseworker holding the claim'),
  status: z.enum(TASK_STATUSES),
  dueAt: z.string().describe('ISO 8601'),
  followUpAt: z.string().nullable().describe('Wiedervorlage: hidden from the group inbox until then'),
  escalated: z.boolean().describe('Overdue and escalated'),
  escalatedTo: z.string().nullable(),
};

export const taskListItemSchema = z.object(taskSummary);
export type TaskListItem = z.infer<typeof taskListItemSchema>;

export const taskListResponseSchema = z.object({ items: z.array(taskListItemSchema), nextCursor: z.string().nullable() });
export type TaskListResponse = z.infer<typeof taskListResponseSchema>;

export const taskDetailSchema = z.object({
  ...taskSummary,
  formSchema: z.record(z.string(), z.unknown()).describe('JSON Schema (2020-12) of the completion data'),
  outcomes: z.array(z.string()),
  caseData: z.record(z.string(), z.unknown()).describe('What the caseworker needs to decide (may contain personal data)'),
  fourEyesExcluded: z.boolean().describe('True when the caller completed the first task of this four-eyes pair and may not complete this one'),
  createdAt: z.string(),
  completedBy: z.string().nullable(),
  completedAt: z.string().nullable(),
  outcome: z.string().nullable(),
  result: z.record(z.string(), z.unknown()).nullable(),
});
export type TaskDetail = z.infer<typeof taskDetailSchema>;

export const completeTaskBodySchema = z.strictObject({
  outcome: z.string().min(1).max(100),
  data: z.record(z.string(), z.unknown()).default({}),
});
export type CompleteTaskBody = z.output<typeof completeTaskBodySchema>;

export const completeTaskResponseSchema = z.object({ taskId: z.uuid(), outcome: z.string(), status: z.literal('completed') });

export const deferTaskBodySchema = z.strictObject({
  until: z.iso
    .datetime({ offset: true })
    .nullable()
    .refine((v) => v === null || Date.parse(v) > Date.now(), { message: 'must lie in the future' })
    .describe('Follow-up date (ISO 8601 with offset, in the future); null clears it'),
});
export type DeferTaskBody = z.output<typeof deferTaskBodySchema>;
