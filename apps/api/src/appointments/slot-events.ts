import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { ROOT_LOGGER } from '../tokens';

/**
 * THE PUBLICATION SEAM for the Terminalarm (docs/appointments.md). POST /admin/offices/{id}/slots
 * inserts the new slots with public_at = now + SLOT_PUBLISH_WITHHOLD and then calls
 * onSlotsPublished once with their ids. Until public_at only the alarm queue may take their
 * seats, so matching alarms are served before the public sees the slots. The Terminalarm engineer
 * binds SLOT_EVENTS to an implementation that matches alarms (e.g. signals a matcher workflow or
 * runs the SQL match and starts offers) and, for what nobody wanted, may publish at once
 * (UPDATE slots SET public_at = NULL WHERE id = ANY($1)).
 */
export const SLOT_EVENTS = Symbol('SLOT_EVENTS');

export interface SlotsPublishedEvent {
  officeId: string;
  serviceIds: readonly string[];
  /** The slots created by this publication (existing ones are not repeated). */
  slotIds: readonly string[];
  /** When they become public by themselves; null = public already. */
  publicAt: Date | null;
}

export interface SlotEvents {
  onSlotsPublished(event: SlotsPublishedEvent): Promise<void>;
}

/** Until the Terminalarm exists: nothing to route; the slots become public at publicAt by themselves. */
@Injectable()
export class LoggingSlotEvents implements SlotEvents {
  constructor(@Inject(ROOT_LOGGER) private readonly logger: Logger) {}

  async onSlotsPublished(event: SlotsPublishedEvent): Promise<void> {
    this.logger.info({ officeId: event.officeId, slots: event.slotIds.length, publicAt: event.publicAt?.toISOString() ?? null }, 'slots published');
  }
}
