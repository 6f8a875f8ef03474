-- Up Migration
-- Human tasks (workflows/shared/human-task.ts, activities/tasks, apps/api/src/tasks).
-- The workflow owns a task's life (creation, completion through a workflow Update, escalation by
-- timer, cancellation); this table is the caseworkers' inbox, queried with plain SQL. Claim,
-- unclaim and deferral (Wiedervorlage) are written by the API only.
--
-- case_id has no foreign key: tasks are created by the workflow's activity, which may run before
-- the case row is visible to it, and operator tasks may belong to no case at all.
--
-- Personal data: case_data (what the caseworker needs to decide) and result (the completion form)
-- may hold personal data; they are shown only to caseworkers of the task's group (or escalation
-- group) and are erased with the case by the retention job. assignee, completed_by and
-- four_eyes_exclude are pseudonymous token subjects, never names.
CREATE TABLE tasks (
  id                 uuid        PRIMARY KEY,
  case_id            uuid,
  case_number        text,
  workflow_id        text        NOT NULL,
  -- stable per workflow ("review", "review-confirmation"): a retried createTask finds its own row
  task_key           text        NOT NULL,
  type               text        NOT NULL,
  title              text        NOT NULL,
  group_name         text        NOT NULL,
  assignee           text,
  status             text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'claimed', 'completed', 'cancelled')),
  form_schema        jsonb       NOT NULL,
  outcomes           text[]      NOT NULL CHECK (cardinality(outcomes) > 0),
  case_data          jsonb       NOT NULL DEFAULT '{}'::jsonb,
  due_at             timestamptz NOT NULL,
  -- Wiedervorlage: until then the task is hidden from the group and unassigned inboxes
  follow_up_at       timestamptz,
  escalated_at       timestamptz,
  -- the group the task goes to when overdue; once escalated_at is set its caseworkers see it as well
  escalate_to        text,
  -- the subject that may not complete this task (the completer of the first task of a four-eyes pair)
  four_eyes_exclude  text,
  completed_by       text,
  completed_at       timestamptz,
  outcome            text,
  result             jsonb,
  cancelled_at       timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  -- bumped by every change; optimistic concurrency for writers that read first
  version            integer     NOT NULL DEFAULT 1,
  UNIQUE (workflow_id, task_key),
  CHECK (status <> 'open' OR assignee IS NULL),
  CHECK (status <> 'claimed' OR assignee IS NOT NULL),
  CHECK ((status = 'completed') = (completed_at IS NOT NULL AND completed_by IS NOT NULL AND outcome IS NOT NULL)),
  CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL))
);

-- Inboxes, sorted by due date with the id as keyset tie-breaker.
CREATE INDEX tasks_group_inbox_idx ON tasks (group_name, status, due_at, id);
CREATE INDEX tasks_assignee_inbox_idx ON tasks (assignee, status, due_at, id) WHERE assignee IS NOT NULL;
CREATE INDEX tasks_escalated_inbox_idx ON tasks (escalate_to, status, due_at, id) WHERE escalated_at IS NOT NULL;
CREATE INDEX tasks_case_idx ON tasks (case_id) WHERE case_id IS NOT NULL;

-- Down Migration
DROP TABLE tasks;
