import { Module } from '@nestjs/common';
import { AppointmentsAdminController } from './appointments-admin.controller';
import { AppointmentsController } from './appointments.controller';
import { AppointmentsService } from './appointments.service';
import { AlarmSlotEvents } from '../alarms/alarm-slot-events';
import { OfficeClosuresService } from './office-closures.service';
import { SLOT_EVENTS } from './slot-events';

/**
 * Appointments (issue 4): catalogue, availability, booking by email link, office administration.
 * SLOT_EVENTS is bound to the Terminalarm's matcher (alarms/alarm-slot-events.ts).
 */
@Module({
  controllers: [AppointmentsController, AppointmentsAdminController],
  providers: [AppointmentsService, OfficeClosuresService, { provide: SLOT_EVENTS, useClass: AlarmSlotEvents }],
  exports: [AppointmentsService, SLOT_EVENTS],
})
export class AppointmentsModule {}
