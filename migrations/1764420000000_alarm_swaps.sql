-- Up Migration
-- Terminalarm "earlier slot" swap (docs/appointments.md "Terminalarm"): accepting an offer of an
-- alarm that has a current appointment books the offered seat and cancels the old appointment in
-- the same transaction. The offer records which appointment it replaced (so a retried accept
-- reports the same swap), the old appointment why it was cancelled.
ALTER TABLE alarm_offers ADD COLUMN swapped_appointment_id uuid REFERENCES appointments (id);
ALTER TABLE appointments ADD COLUMN cancel_reason text CHECK (cancel_reason IS NULL OR cancel_reason = 'swapped');

-- Down Migration
ALTER TABLE appointments DROP COLUMN cancel_reason;
ALTER TABLE alarm_offers DROP COLUMN swapped_appointment_id;
