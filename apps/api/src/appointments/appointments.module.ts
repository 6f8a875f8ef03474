import { Module } from '@nestjs/common';
import { AppointmentsAdminController } from './appointments-admin.controller';
import { AppointmentsController } from './appointments.controller';
import { AppointmentsService } from './appointments.service';
import { LoggingSlotEvents, SLOT_EVENTS } from './slot-events';

/**
 * Appointments (issue 4): catalogue, availability, booking by email link, office administration.
 * The Terminalarm binds SLOT_EVENTS to its own implementation (see slot-events.ts).
 */
@Module({
  controllers: [AppointmentsController, AppointmentsAdminController],
  providers: [AppointmentsService, { provide: SLOT_EVENTS, useClass: LoggingSlotEvents }],
  exports: [AppointmentsService, SLOT_EVENTS],
})
export class AppointmentsModule {}
