import { Inject, Injectable } from '@nestjs/common';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Pool } from 'pg';
import type { Principal } from '../../../../libs/auth/src/principal';
import { closeOfficeDay } from '../../../../libs/db/src/appointments/closures';
import { berlinIsoDate } from '../../../../libs/domain/src/berlin-time';
import { DomainError } from '../../../../libs/domain/src/errors';
import { offerWithdrawnSignal } from '../../../../workflows/appointment-alarm/appointment-alarm.contract';
import { officeClosedSignal } from '../../../../workflows/appointment/appointment.contract';
import { TemporalClientHolder } from '../infrastructure/temporal-client.holder';
import { PG_POOL } from '../tokens';
import type { CloseOfficeDayBody, CloseOfficeDayResponse } from './appointments.schemas';

/** Signals sent at once while the closure's workflows are told. */
const SIGNAL_CONCURRENCY = 16;

/**
 * An office closed on a day (docs/appointments.md "Closures"). PostgreSQL first, in one
 * transaction (closeOfficeDay: closure recorded, the day's appointments cancelled, its offers
 * withdrawn, its seats off the market), then every affected workflow is signalled — it mails the
 * citizen and ends (appointment) or drops the offer (alarm). The request answers after the last
 * signal; if one fails it answers 503 and a repeat (closeOfficeDay is idempotent and returns the
 * same appointments and offers) signals them again — the workflows ignore a repeated signal.
 */
@Injectable()
export class OfficeClosuresService {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly temporal: TemporalClientHolder,
  ) {}

  async close(principal: Principal, officeId: string, body: CloseOfficeDayBody): Promise<CloseOfficeDayResponse> {
    if (!principal.roles.includes('admin') && principal.office !== officeId) {
      throw new DomainError('FORBIDDEN', 'Caseworkers close only their own office.');
    }
    if (body.date < berlinIsoDate(new Date())) {
      throw new DomainError('INVALID', 'A closure cannot be in the past.', { errors: [{ path: '/date', message: 'must be today or later (Berlin)' }] });
    }
    const r = await closeOfficeDay(this.pool, { officeId, date: body.date, reason: body.reason });
    const client = this.temporal.get();
    const jobs: Array<() => Promise<void>> = [
      ...r.cancelled.map((a) => () => client.workflow.getHandle(a.workflowId).signal(officeClosedSignal)),
      ...r.withdrawn.map((o) => () => client.workflow.getHandle(o.workflowId).signal(offerWithdrawnSignal, { offerId: o.offerId })),
    ];
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(SIGNAL_CONCURRENCY, jobs.length) }, async () => {
        for (let i = next++; i < jobs.length; i = next++) {
          try {
            await jobs[i]!();
          } catch (e) {
            // ended already (cancelled by the citizen meanwhile, alarm closed): PostgreSQL holds the truth
            if (!(e instanceof WorkflowNotFoundError)) throw e;
          }
        }
      }),
    );
    return { officeId, date: body.date, cancelledAppointments: r.cancelled.length, withdrawnOffers: r.withdrawn.length };
  }
}
