-- Up Migration
-- Terminalarm (appointment alarm): a citizen's standing wish for a slot, and the exclusive,
-- time-limited offers made to it. See docs/appointments.md "Terminalarm".

-- One standing wish. email and name are personal data; email_hash serves the one-active-alarm
-- rule without reading personal data. The link token is stored only as its sha256 (token_hash).
CREATE TABLE alarms (
  id                      uuid        PRIMARY KEY,
  service_id              text        NOT NULL REFERENCES services (id),
  -- empty = any office
  office_ids              text[]      NOT NULL DEFAULT '{}',
  -- Berlin calendar dates, inclusive
  from_date               date        NOT NULL,
  to_date                 date        NOT NULL,
  -- ISO weekdays 1 (Monday) .. 7 (Sunday) in Europe/Berlin; empty = any
  weekdays                int[]       NOT NULL DEFAULT '{}' CHECK (weekdays <@ ARRAY[1, 2, 3, 4, 5, 6, 7]),
  -- Berlin wall-clock window for the slot's start, [time_from, time_to); NULL = open
  time_from               time,
  time_to                 time,
  email                   text        NOT NULL,
  email_hash              text        NOT NULL CHECK (email_hash ~ '^[0-9a-f]{64}$'),
  name                    text        NOT NULL,
  token_hash              text        NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  status                  text        NOT NULL CHECK (status IN ('active', 'offered', 'booked', 'expired', 'cancelled')),
  -- queue order: the longest-waiting matching alarm is served first
  created_at              timestamptz NOT NULL DEFAULT now(),
  expires_at              timestamptz NOT NULL,
  extended_count          integer     NOT NULL DEFAULT 0,
  workflow_id             text        NOT NULL UNIQUE,
  -- "earlier slot" alarms: only slots before this appointment's start match (swap on accept)
  current_appointment_id  uuid        REFERENCES appointments (id),
  -- when it was served (booked)
  served_at               timestamptz,
  updated_at              timestamptz NOT NULL DEFAULT now(),
  CHECK (to_date >= from_date),
  CHECK (time_from IS NULL OR time_to IS NULL OR time_to > time_from)
);
-- The queue: matching scans the active alarms of one service in waiting order.
CREATE INDEX alarms_queue_idx ON alarms (service_id, created_at, id) WHERE status = 'active';
-- One active (waiting or offered) alarm per address and service.
CREATE UNIQUE INDEX alarms_one_active_idx ON alarms (email_hash, service_id) WHERE status IN ('active', 'offered');
CREATE INDEX alarms_status_idx ON alarms (status, created_at);

-- An exclusive offer: the seat is taken (slots.booked + 1) for the alarm while the offer is open.
CREATE TABLE alarm_offers (
  id              uuid        PRIMARY KEY,
  alarm_id        uuid        NOT NULL REFERENCES alarms (id),
  slot_id         uuid        NOT NULL REFERENCES slots (id),
  -- the appointment created on accept (same id as the offer)
  appointment_id  uuid        REFERENCES appointments (id),
  status          text        NOT NULL CHECK (status IN ('open', 'accepted', 'declined', 'lapsed')),
  expires_at      timestamptz NOT NULL,
  -- what triggered the match ('freed:<slot>:<appointment>:<reason>', 'after:<offer>'); makes a
  -- retried matcher return the same offer instead of taking a second seat
  source_key      text        UNIQUE,
  created_at      timestamptz NOT NULL DEFAULT now(),
  resolved_at     timestamptz
);
-- at most one open offer per alarm
CREATE UNIQUE INDEX alarm_offers_open_idx ON alarm_offers (alarm_id) WHERE status = 'open';
CREATE INDEX alarm_offers_alarm_slot_idx ON alarm_offers (alarm_id, slot_id);

-- Down Migration
DROP TABLE alarm_offers;
DROP TABLE alarms;
