-- Up Migration
-- Gewerbeanmeldung: one row per delivery of the XGewerbeanzeige-style message to a § 14 GewO
-- recipient (IHK, Handwerkskammer, Finanzamt, …), written by activities/gewerbe.
--
-- - message_id: stable per case + recipient (a UUID v5 derived from both), so a retried activity or
--   a re-run of the workflow updates this row instead of adding a second one, and the recipient can
--   drop a duplicate by it.
-- - xml_sha256: proves which message went out without keeping the message (its personal data) here;
--   the XML itself lives only in the (encrypted) delivery call and at the recipient.
-- - attempts: delivery attempts so far (activity attempts, counted by the activity).
-- - status: 'pending' (first attempt under way), 'retrying' (an attempt failed, Temporal retries),
--   'delivered', 'failed' (retries exhausted: an operator task is open).
CREATE TABLE recipient_deliveries (
  message_id uuid PRIMARY KEY,
  case_id uuid NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  recipient text NOT NULL CHECK (recipient ~ '^[a-z][a-z0-9_-]{0,39}$'),
  message_type text NOT NULL CHECK (length(message_type) BETWEEN 1 AND 100),
  form text NOT NULL CHECK (form IN ('anmeldung', 'ummeldung', 'abmeldung')),
  status text NOT NULL CHECK (status IN ('pending', 'retrying', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  xml_sha256 text NOT NULL CHECK (xml_sha256 ~ '^[0-9a-f]{64}$'),
  external_id text,
  last_error text CHECK (last_error IS NULL OR length(last_error) <= 500),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz,
  UNIQUE (case_id, recipient, form)
);
CREATE INDEX recipient_deliveries_open_idx ON recipient_deliveries (status, updated_at) WHERE status <> 'delivered';

-- Down Migration
DROP TABLE recipient_deliveries;
