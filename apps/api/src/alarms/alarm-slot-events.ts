import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Pool } from 'pg';
import type { AppConfig } from '../../../../libs/config/src/config';
import { matchPublication } from '../../../../libs/db/src/appointments/alarm-publication';
import type { SlotEvents, SlotsPublishedEvent } from '../appointments/slot-events';
import { APP_CONFIG, PG_POOL, ROOT_LOGGER } from '../tokens';

/**
 * The Terminalarm's binding of the publication seam: the free seats of all new slots go to the
 * matching alarms first (longest-waiting alarm first, one offer per alarm, each seat once), and
 * what nobody wanted is published at once — all in ONE transaction (matchPublication), before
 * POST /admin/offices/{id}/slots answers. The offers are signalled and mailed by the worker's
 * offer outbox drainer (woken by the transaction's NOTIFY), not here: the request does not wait
 * for Temporal, and an offer whose signal was interrupted by a crash is still delivered.
 */
@Injectable()
export class AlarmSlotEvents implements SlotEvents {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async onSlotsPublished(event: SlotsPublishedEvent): Promise<void> {
    const offers = await matchPublication(this.pool, { slotIds: event.slotIds, offerHold: this.config.ALARM_OFFER_HOLD, newOfferId: randomUUID, publishRest: event.publicAt !== null });
    this.logger.info({ officeId: event.officeId, slots: event.slotIds.length, offers: offers.length }, 'slots published');
  }
}
