// Publishing capacity (POST /admin/offices/{officeId}/slots). The plan (which starts, respecting
// opening hours and closures) comes from libs/domain/src/appointments/slot-plan.ts.
import type { Pool, PoolClient } from 'pg';
import type { PlannedSlot } from '../../../domain/src/appointments/slot-plan';

type Queryable = Pick<Pool | PoolClient, 'query'>;

export interface InsertSlotsInput {
  officeId: string;
  serviceIds: readonly string[];
  capacity: number;
  slots: readonly PlannedSlot[];
  /** null: public at once; a future instant: withheld for the Terminalarm queue until then. */
  publicAt: Date | null;
}

/**
 * Inserts the planned slots in one statement; a slot that already exists for the same office,
 * start and service set is left alone (re-publishing a range is idempotent). Returns the ids of
 * the slots created by this call.
 */
export async function insertSlots(db: Queryable, input: InsertSlotsInput): Promise<string[]> {
  if (input.slots.length === 0) return [];
  const serviceIds = [...new Set(input.serviceIds)].sort();
  const r = await db.query<{ id: string }>(
    `INSERT INTO slots (office_id, starts_at, ends_at, capacity, service_ids, public_at)
     SELECT $1, t.s, t.e, $4, $5::text[], $6
       FROM unnest($2::timestamptz[], $3::timestamptz[]) AS t(s, e)
     ON CONFLICT ON CONSTRAINT slots_office_start_services_key DO NOTHING
     RETURNING id`,
    [input.officeId, input.slots.map((s) => s.start), input.slots.map((s) => s.end), input.capacity, serviceIds, input.publicAt],
  );
  return r.rows.map((x) => x.id);
}
