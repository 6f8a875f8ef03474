-- Up Migration
-- Fachverfahren adapter kit (libs/fachverfahren, activities/fachverfahren, apps/api/src/integrations).
-- No personal data in either table: ids, step names, adapter names, event names and status words only.

-- Every state-changing adapter call of a workflow (submit, payment start, refund), recorded by the
-- activity BEFORE it talks to the remote and updated after. Inbound callbacks name either the
-- remote's external_id or (case_id, step); this table tells the API which workflow waits for them.
CREATE TABLE adapter_calls (
  adapter          text        NOT NULL,
  case_id          text        NOT NULL,
  step             text        NOT NULL,
  operation        text        NOT NULL CHECK (operation IN ('submit', 'payment', 'refund')),
  idempotency_key  text        NOT NULL,
  workflow_id      text        NOT NULL,
  external_id      text,
  status           text,
  attempts         integer     NOT NULL DEFAULT 1,
  -- last business code or technical reason; never a message from the remote (it may quote personal data)
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (adapter, case_id, step)
);
CREATE INDEX adapter_calls_external_id_idx ON adapter_calls (adapter, external_id) WHERE external_id IS NOT NULL;

-- Replay protection for signed callbacks, shared by every API replica: a callback id is accepted once
-- per adapter. A row is written before the callback is routed and removed again when routing fails,
-- so the sender may retry a callback we could not deliver. Rows older than a few days can be purged
-- (the signature's 5-minute window rejects anything older anyway; the ids catch re-signed duplicates).
CREATE TABLE callback_receipts (
  adapter      text        NOT NULL,
  callback_id  text        NOT NULL,
  event        text        NOT NULL,
  -- hex SHA-512 of the signature header: the exact message seen (for audits, not for lookups)
  signature_digest text    NOT NULL,
  signed_at    timestamptz NOT NULL,
  workflow_id  text,
  received_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (adapter, callback_id)
);
CREATE INDEX callback_receipts_received_at_idx ON callback_receipts (received_at);

-- Down Migration
DROP TABLE callback_receipts;
DROP TABLE adapter_calls;
