-- Up Migration
-- Office closed on a day (POST /admin/offices/{id}/closures, docs/appointments.md "Closures"): the
-- day's appointments are cancelled with this reason (the citizen gets a mail saying the office is
-- closed, not "you cancelled"), and a closure is recorded once per office and Berlin day.
ALTER TABLE appointments DROP CONSTRAINT appointments_cancel_reason_check;
ALTER TABLE appointments ADD CONSTRAINT appointments_cancel_reason_check CHECK (cancel_reason IS NULL OR cancel_reason IN ('swapped', 'office_closed'));
-- A closed day's slots keep their rows (appointments and offers refer to them) with capacity 0:
-- `booked < capacity` is false for every path that takes a seat (public hold, matcher, reschedule).
ALTER TABLE slots DROP CONSTRAINT slots_capacity_check;
ALTER TABLE slots ADD CONSTRAINT slots_capacity_check CHECK (capacity BETWEEN 0 AND 100);
CREATE UNIQUE INDEX office_closures_office_day_idx ON office_closures (office_id, starts_at, ends_at) WHERE office_id IS NOT NULL;

-- Down Migration
DROP INDEX office_closures_office_day_idx;
ALTER TABLE slots DROP CONSTRAINT slots_capacity_check;
ALTER TABLE slots ADD CONSTRAINT slots_capacity_check CHECK (capacity BETWEEN 1 AND 100) NOT VALID;
ALTER TABLE appointments DROP CONSTRAINT appointments_cancel_reason_check;
ALTER TABLE appointments ADD CONSTRAINT appointments_cancel_reason_check CHECK (cancel_reason IS NULL OR cancel_reason = 'swapped');
