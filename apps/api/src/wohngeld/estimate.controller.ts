import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { calculateWohngeld, wohngeldEstimateRequestBaseSchema, wohngeldEstimateRequestSchema } from '../../../../libs/domain/src/wohngeld';
import type { WohngeldEstimate, WohngeldEstimateRequest } from '../../../../libs/domain/src/wohngeld';
import { Public } from '../auth/decorators';
import { ApiZodBody } from '../docs/zod-openapi';
import { ZodValidationPipe } from '../validation/zod-validation.pipe';

/**
 * The public Wohngeld estimate: anyone can see what the law (WoGG as of 1 January 2025) would pay
 * for a household before applying. Pure arithmetic from libs/domain — no login, nothing stored,
 * rate-limited per IP like every public endpoint. Impossible input (negative amounts, members that
 * do not exist, an unknown Mietstufe or municipality) is a 422 naming each field.
 */
@ApiTags('wohngeld')
@Controller('wohngeld')
export class WohngeldEstimateController {
  @Post('estimate')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Estimate the monthly Wohngeld of a household (public)',
    description:
      'Computes § 19 WoGG with the tables of Anlagen 1–3 in ten-place fixed-point steps. `monthlyAmount` is in whole euros; ' +
      '`reason` says why nothing is paid (`below_minimum_amount`, `income_too_high`, `all_members_excluded`); ' +
      '`breakdown` shows M, Y, the coefficients and every intermediate value. An estimate, not a decision.',
  })
  @ApiZodBody(wohngeldEstimateRequestBaseSchema)
  estimate(@Body(new ZodValidationPipe(wohngeldEstimateRequestSchema)) body: WohngeldEstimateRequest): WohngeldEstimate {
    return calculateWohngeld(body);
  }
}
