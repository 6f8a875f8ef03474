import { Module } from '@nestjs/common';
import { BewohnerparkenController } from './bewohnerparken.controller';
import { GewerbeanmeldungController } from './gewerbeanmeldung.controller';

/**
 * POST /api/v1/applications/… — citizens submit applications; each starts its process with
 * update-with-start and answers with the case number. Bewohnerparkausweis is the reference process
 * (workflows/bewohnerparken); further processes add their controller here.
 */
@Module({
  controllers: [BewohnerparkenController, GewerbeanmeldungController],
})
export class ApplicationsModule {}
