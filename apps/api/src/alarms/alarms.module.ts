import { Module } from '@nestjs/common';
import { AlarmsController } from './alarms.controller';
import { AlarmsService } from './alarms.service';
import { AppointmentsKpiController } from './appointments-kpi.controller';

/** Terminalarm (issue 4, item 3) and the appointment KPIs (item 4); the publication seam's binding is AlarmSlotEvents (AppointmentsModule). */
@Module({
  controllers: [AlarmsController, AppointmentsKpiController],
  providers: [AlarmsService],
})
export class AlarmsModule {}
