-- Up Migration
-- Foundation tables only. Cases, tasks, appointments and the like come with the issues that own them.

-- One row per logical outgoing mail, keyed by its RFC 5322 Message-ID (e.g. <case-123.status-received@amtsweg>).
-- libs/mail/src/send-mail.ts inserts the row BEFORE handing the mail to SMTP and marks it sent after, so a
-- retried activity never sends twice (see the remaining at-least-once window documented there).
-- No recipient address or mail text is stored here: the table is an idempotency ledger, not an archive.
CREATE TABLE mail_log (
  message_id     text        PRIMARY KEY,
  status         text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent')),
  attempts       integer     NOT NULL DEFAULT 0,
  -- a send attempt holds this lease while it talks to SMTP; a concurrent attempt of the same message waits
  claimed_until  timestamptz,
  smtp_response  text,
  last_error     text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  sent_at        timestamptz,
  CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX mail_log_pending_idx ON mail_log (created_at) WHERE status = 'pending';

-- Idempotency-Key handling of the API (API.md: "the same key with the same body returns the first result").
-- Scoped per principal (the JWT sub, or 'anonymous:<route>' for public endpoints) so keys of different
-- callers never collide. A row without response_status is in flight (the first request still runs).
CREATE TABLE idempotency_keys (
  principal        text        NOT NULL,
  key              text        NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
  method           text        NOT NULL,
  path             text        NOT NULL,
  request_hash     text        NOT NULL,
  response_status  integer,
  response_headers jsonb,
  response_body    jsonb,
  created_at       timestamptz NOT NULL DEFAULT now(),
  completed_at     timestamptz,
  PRIMARY KEY (principal, key),
  CHECK ((response_status IS NULL) = (completed_at IS NULL))
);
-- expiry sweeps (keys are kept for a limited time, e.g. 24 h)
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);

-- Down Migration
DROP TABLE idempotency_keys;
DROP TABLE mail_log;
