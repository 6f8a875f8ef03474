-- Up Migration
-- The case file (issue 3, item 1): what citizens list and read, written by idempotent activities
-- (activities/cases) through the repository in libs/db/src/cases. Temporal holds where a process
-- stands; these tables hold what people see and what happened, for audits.
--
-- Personal data lives in cases.owner_sub (pseudonymous account id), cases.owner_email, the document
-- bytes and names, and case_documents.uploaded_by. Erasure after retention_until clears those and
-- sets erased_at; case numbers, statuses and the audit trail stay.

-- Gap-free running numbers per case type and calendar year (Europe/Berlin). A number is allocated
-- by `INSERT … ON CONFLICT (type, year) DO UPDATE SET next = next + 1 RETURNING next` in the SAME
-- transaction that inserts the case: concurrent allocations queue on the row lock, and a rolled
-- back case rolls its number back too. `next` is the number handed out last.
CREATE TABLE case_number_counters (
  type  text    NOT NULL,
  year  integer NOT NULL CHECK (year BETWEEN 2000 AND 9999),
  next  bigint  NOT NULL CHECK (next >= 1),
  PRIMARY KEY (type, year)
);

CREATE TABLE cases (
  id               uuid        PRIMARY KEY,
  case_number      text        NOT NULL UNIQUE,
  type             text        NOT NULL,
  owner_sub        text        NOT NULL,
  owner_email      text,
  workflow_id      text        NOT NULL UNIQUE,
  -- the external vocabulary of the federal citizen mailbox (libs/domain EXTERNAL_STATUSES)
  status           text        NOT NULL DEFAULT 'SUBMITTED'
                     CHECK (status IN ('SUBMITTED', 'RECEIVED', 'PROCESSING', 'ACTION_REQUIRED', 'COMPLETED', 'WITHDRAWN')),
  status_text      text        NOT NULL,
  submitted_at     timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  due_by           timestamptz,
  -- shown to the citizen as is (GET /cases/{id} `decision`): outcome, amount, notice document id
  decision         jsonb,
  retention_until  timestamptz,
  erased_at        timestamptz
);
-- GET /api/v1/cases: a citizen's cases, newest change first, keyset-paginated on (updated_at, id).
CREATE INDEX cases_owner_list_idx ON cases (owner_sub, updated_at DESC, id DESC);
-- retention sweeps
CREATE INDEX cases_retention_idx ON cases (retention_until) WHERE retention_until IS NOT NULL AND erased_at IS NULL;

-- The timeline. event_key makes writing idempotent: a retried activity inserts nothing new.
CREATE TABLE case_events (
  id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id    uuid        NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  event_key  text        NOT NULL CHECK (length(event_key) BETWEEN 1 AND 200),
  at         timestamptz NOT NULL DEFAULT now(),
  -- the status this event moved the case to; NULL for events that change nothing (e.g. a delivery)
  status     text        CHECK (status IN ('SUBMITTED', 'RECEIVED', 'PROCESSING', 'ACTION_REQUIRED', 'COMPLETED', 'WITHDRAWN')),
  audience   text        NOT NULL CHECK (audience IN ('citizen', 'internal')),
  text       text        NOT NULL,
  UNIQUE (case_id, event_key)
);
CREATE INDEX case_events_timeline_idx ON case_events (case_id, at, id);

-- Open requests shown to the citizen (Nachforderung). The document-request building block writes
-- them; GET /cases/{id} lists the open ones and uploads may name one.
CREATE TABLE case_requests (
  id          uuid        PRIMARY KEY,
  case_id     uuid        NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  kind        text        NOT NULL,
  text        text        NOT NULL,
  due_by      timestamptz,
  status      text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'fulfilled', 'expired')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_requests_case_idx ON case_requests (case_id, due_by);

-- Documents with their bytes (size-limited, media-type allow-list checked by magic bytes).
CREATE TABLE case_documents (
  id           uuid        PRIMARY KEY,
  case_id      uuid        NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  request_id   uuid        REFERENCES case_requests (id),
  -- idempotency: generated documents use the caller's key, uploads "upload:<request>:<sha256>",
  -- so a retried activity or upload stores one document, not two
  doc_key      text        NOT NULL CHECK (length(doc_key) BETWEEN 1 AND 300),
  name         text        NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
  media_type   text        NOT NULL CHECK (media_type IN ('application/pdf', 'image/jpeg', 'image/png')),
  size         integer     NOT NULL CHECK (size > 0),
  sha256       text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  bytes        bytea       NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  -- the uploader's sub, or "system" for documents the process generated
  uploaded_by  text        NOT NULL,
  UNIQUE (case_id, doc_key),
  CHECK (octet_length(bytes) = size)
);
CREATE INDEX case_documents_case_idx ON case_documents (case_id, created_at);

-- Who did what to which case, with before/after. Only statuses, keys and ids go into before/after,
-- never addresses, texts of mails or document bytes.
CREATE TABLE audit_log (
  id       bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at       timestamptz NOT NULL DEFAULT now(),
  -- the acting sub, or "system" / "workflow:<id>" for the process itself
  actor    text        NOT NULL,
  action   text        NOT NULL,
  case_id  uuid        REFERENCES cases (id),
  before   jsonb,
  after    jsonb
);
CREATE INDEX audit_log_case_idx ON audit_log (case_id, at) WHERE case_id IS NOT NULL;

-- Idempotency-Key handling (apps/api/src/idempotency): the claim of the request that owns a key,
-- so only that request stores or releases it (a stale in-flight key taken over by a retry is not
-- released by the original when it finally fails).
ALTER TABLE idempotency_keys ADD COLUMN claim_id uuid;

-- Down Migration
ALTER TABLE idempotency_keys DROP COLUMN claim_id;
DROP TABLE audit_log;
DROP TABLE case_documents;
DROP TABLE case_requests;
DROP TABLE case_events;
DROP TABLE cases;
DROP TABLE case_number_counters;
