import { Module } from '@nestjs/common';
import { WohngeldEstimateController } from './estimate.controller';

/** Wohngeld: the public estimate (the application process follows in workflows/wohngeld). */
@Module({ controllers: [WohngeldEstimateController] })
export class WohngeldModule {}
