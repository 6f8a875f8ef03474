import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Logger } from 'pino';
import type { Pool } from 'pg';
import type { AppConfig } from '../../../../libs/config/src/config';
import { publishSlotNow, routeSlot } from '../../../../libs/db/src/appointments/alarms';
import type { MatchedOffer } from '../../../../libs/db/src/appointments/alarms';
import { offerSignal } from '../../../../workflows/appointment-alarm/appointment-alarm.contract';
import type { SlotEvents, SlotsPublishedEvent } from '../appointments/slot-events';
import { TemporalClientHolder } from '../infrastructure/temporal-client.holder';
import { APP_CONFIG, PG_POOL, ROOT_LOGGER } from '../tokens';

/**
 * The Terminalarm's binding of the publication seam: every new slot's seats go to matching
 * alarms first (one exclusive offer per seat, longest-waiting first), then what nobody wanted is
 * published at once. Runs before POST /admin/offices/{id}/slots answers.
 */
@Injectable()
export class AlarmSlotEvents implements SlotEvents {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    private readonly temporal: TemporalClientHolder,
  ) {}

  async onSlotsPublished(event: SlotsPublishedEvent): Promise<void> {
    const notify = async (o: MatchedOffer): Promise<'delivered' | 'gone'> => {
      try {
        await this.temporal.get().workflow.getHandle(o.workflowId).signal(offerSignal, {
          offerId: o.offerId,
          slotId: o.slotId,
          officeId: o.officeId,
          start: o.start.toISOString(),
          end: o.end.toISOString(),
          expiresAt: o.expiresAt.toISOString(),
        });
        return 'delivered';
      } catch (e) {
        if (e instanceof WorkflowNotFoundError) return 'gone';
        throw e;
      }
    };
    let offers = 0;
    for (const slotId of event.slotIds) {
      offers += (await routeSlot(this.pool, { slotId, offerHold: this.config.ALARM_OFFER_HOLD, maxOffers: 100, newOfferId: randomUUID }, notify)).length;
      if (event.publicAt) await publishSlotNow(this.pool, slotId);
    }
    this.logger.info({ officeId: event.officeId, slots: event.slotIds.length, offers }, 'slots published');
  }
}
