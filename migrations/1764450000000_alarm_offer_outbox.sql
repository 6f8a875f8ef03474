-- Up Migration
-- Terminalarm publication off the request path (docs/appointments.md "Offer outbox").
--
-- Every offer the matcher makes gets a row here IN THE SAME TRANSACTION (and a NOTIFY on the
-- channel alarm_offer_outbox, delivered at commit). The worker's drainer LISTENs, signals the
-- alarm's workflow (`offer`), mails the offer and deletes the row; at startup it sweeps what is
-- left. So an offer committed in PostgreSQL whose signal was never sent (API or worker died right
-- after the commit) still reaches its workflow.
CREATE TABLE alarm_offer_outbox (
  offer_id    uuid        PRIMARY KEY REFERENCES alarm_offers (id),
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- The alarm's link token, sealed (AES-256-GCM with the payload key that encrypts the workflow's
-- input, where the token lives already; bound to the alarm id), so the drainer can put the links
-- into the offer mail without waiting for the workflow. NULL for alarms created before: their
-- offer mail comes from the workflow only. token_hash stays the only thing the API compares.
ALTER TABLE alarms ADD COLUMN token_sealed text;

-- Down Migration
ALTER TABLE alarms DROP COLUMN token_sealed;
DROP TABLE alarm_offer_outbox;
