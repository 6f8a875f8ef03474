-- Up Migration
-- Appointments (Termine) at Berlin's Bürgerämter: catalogue, capacity (slots), bookings. The
-- catalogue's seed data are in the next migration. See docs/appointments.md.

-- A Bürgeramt. The id is a readable slug ("buergeramt-rathaus-neukoelln"): it appears in URLs, in
-- the caseworker's `office` claim and as the AmtswegOfficeId search attribute (no personal data).
CREATE TABLE offices (
  id             text        PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  name           text        NOT NULL,
  district       text        NOT NULL,
  address        text        NOT NULL,
  -- {"mon": [["08:00","16:00"]], "tue": [["11:00","18:00"]], ...} in Berlin wall-clock time; a day
  -- without an entry is closed (libs/domain/src/appointments/slot-plan.ts)
  opening_hours  jsonb       NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(opening_hours) = 'object'),
  active         boolean     NOT NULL DEFAULT true,
  created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE services (
  id                text    PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  name              text    NOT NULL,
  -- typical time at the counter; guides the admin's slot length, one booking takes one slot
  duration_minutes  integer NOT NULL CHECK (duration_minutes BETWEEN 1 AND 480),
  -- true: cannot be done online or by post (biometric photo, signature, fingerprints ...)
  in_person_only    boolean NOT NULL,
  active            boolean NOT NULL DEFAULT true
);

CREATE TABLE office_services (
  office_id   text NOT NULL REFERENCES offices (id) ON DELETE CASCADE,
  service_id  text NOT NULL REFERENCES services (id) ON DELETE CASCADE,
  PRIMARY KEY (office_id, service_id)
);
CREATE INDEX office_services_service_idx ON office_services (service_id, office_id);

-- Closures: public holidays (office_id NULL = every office) and office-specific closures. Slots are
-- never published into a closure.
CREATE TABLE office_closures (
  id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  office_id  text        REFERENCES offices (id) ON DELETE CASCADE,
  starts_at  timestamptz NOT NULL,
  ends_at    timestamptz NOT NULL,
  reason     text        NOT NULL,
  CHECK (ends_at > starts_at)
);
CREATE INDEX office_closures_office_idx ON office_closures (office_id, starts_at);

-- Capacity: one row per office, start time and set of services, with `capacity` seats (counters).
-- `booked` counts the seats taken by reserved and confirmed appointments (and, with the
-- Terminalarm, by standing offers). THE invariant of the whole feature lives here: a seat is taken
-- only by `UPDATE slots SET booked = booked + 1 WHERE id = $1 AND booked < capacity ...`, so no
-- concurrency can overbook a slot, and the CHECK makes any bug that tries fail loudly.
CREATE TABLE slots (
  id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  office_id    text        NOT NULL REFERENCES offices (id),
  starts_at    timestamptz NOT NULL,
  ends_at      timestamptz NOT NULL,
  capacity     integer     NOT NULL CHECK (capacity BETWEEN 1 AND 100),
  booked       integer     NOT NULL DEFAULT 0,
  -- sorted, so the same set is the same value (the unique key below)
  service_ids  text[]      NOT NULL CHECK (cardinality(service_ids) BETWEEN 1 AND 50),
  -- NULL or past: bookable by the public. Future: withheld, only the Terminalarm queue may take a
  -- seat (a freshly published slot, or a seat freed from a full slot; docs/appointments.md).
  public_at    timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at),
  CHECK (booked >= 0 AND booked <= capacity),
  -- re-publishing the same range is idempotent; its index also serves (office_id, starts_at) lookups
  CONSTRAINT slots_office_start_services_key UNIQUE (office_id, starts_at, service_ids)
);
-- Availability ("free seats at these offices, earliest first"): a range scan per office over only
-- the slots that still have a seat. Booked-out slots leave this index, so it stays small however
-- many millions of past and full slots the table holds.
CREATE INDEX slots_free_idx ON slots (office_id, starts_at) WHERE booked < capacity;

-- One booking. email and name are personal data (erased after the retention period); email_hash
-- (sha256 of the trimmed, lower-cased address) counts active appointments per address without
-- scanning personal data. The link token is stored only as its sha256 (token_hash).
CREATE TABLE appointments (
  id                uuid        PRIMARY KEY,
  slot_id           uuid        NOT NULL REFERENCES slots (id),
  service_id        text        NOT NULL REFERENCES services (id),
  office_id         text        NOT NULL REFERENCES offices (id),
  starts_at         timestamptz NOT NULL,
  ends_at           timestamptz NOT NULL,
  status            text        NOT NULL CHECK (status IN ('reserved', 'confirmed', 'cancelled', 'expired', 'completed', 'missed')),
  email             text        NOT NULL,
  email_hash        text        NOT NULL CHECK (email_hash ~ '^[0-9a-f]{64}$'),
  name              text        NOT NULL,
  token_hash        text        NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  workflow_id       text        NOT NULL UNIQUE,
  -- while reserved: when the hold lapses unless confirmed
  hold_expires_at   timestamptz,
  -- admin's record: true attended, false missed (no-show), NULL not recorded
  attended          boolean,
  reschedule_count  integer     NOT NULL DEFAULT 0,
  created_at        timestamptz NOT NULL DEFAULT now(),
  -- when it became a booking (confirmed); the 14-day KPI measures starts_at - booked_at
  booked_at         timestamptz,
  confirmed_at      timestamptz,
  cancelled_at      timestamptz,
  expired_at        timestamptz,
  closed_at         timestamptz,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at),
  CHECK (status <> 'reserved' OR hold_expires_at IS NOT NULL)
);
-- APPOINTMENTS_PER_EMAIL_LIMIT: active appointments of one address
CREATE INDEX appointments_active_email_idx ON appointments (email_hash, starts_at) WHERE status IN ('reserved', 'confirmed');
CREATE INDEX appointments_slot_idx ON appointments (slot_id);
-- office day lists, KPIs by appointment date
CREATE INDEX appointments_office_start_idx ON appointments (office_id, starts_at);
-- KPIs by booking date
CREATE INDEX appointments_booked_at_idx ON appointments (booked_at) WHERE booked_at IS NOT NULL;

-- Down Migration
DROP TABLE appointments;
DROP TABLE slots;
DROP TABLE office_closures;
DROP TABLE office_services;
DROP TABLE services;
DROP TABLE offices;
