import { Module } from '@nestjs/common';
import { BewohnerparkenController } from './bewohnerparken.controller';
import { GewerbeanmeldungController } from './gewerbeanmeldung.controller';
import { WohngeldChangeReportController } from './wohngeld.change-report.controller';
import { WohngeldApplicationController } from './wohngeld.controller';

/**
 * POST /api/v1/applications/… — citizens submit applications; each starts its process with
 * update-with-start and answers with the case number. Bewohnerparkausweis is the reference process
 * (workflows/bewohnerparken); further processes add their controller here.
 */
@Module({
  controllers: [BewohnerparkenController, GewerbeanmeldungController, WohngeldApplicationController, WohngeldChangeReportController],
})
export class ApplicationsModule {}
