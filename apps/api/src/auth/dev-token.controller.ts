import { Body, Controller, HttpCode, Inject, NotFoundException, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AppConfig } from '../../../../libs/config/src/config';
import { devTokenRequestSchema, devTokenResponseSchema, principalFromDevTokenRequest, signDevToken } from '../../../../libs/auth/src/dev-tokens';
import type { DevTokenRequest, DevTokenResponse } from '../../../../libs/auth/src/dev-tokens';
import { ApiZodBody, ApiZodResponse } from '../docs/zod-openapi';
import { ZodValidationPipe } from '../validation/zod-validation.pipe';
import { APP_CONFIG } from '../tokens';
import { Public } from './decorators';

/** POST /api/v1/dev/token — registered only when AUTH_MODE=dev (see AuthModule); 404 otherwise. */
@ApiTags('identity')
@Controller('dev')
export class DevTokenController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Post('token')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Issue a development token (AUTH_MODE=dev only)',
    description: 'Signs an HS256 JWT with the dev key for any subject, roles and trust level. Never available in production.',
  })
  @ApiZodBody(devTokenRequestSchema)
  @ApiZodResponse(200, devTokenResponseSchema, 'A bearer token for the Authorization header')
  async issue(@Body(new ZodValidationPipe(devTokenRequestSchema)) body: DevTokenRequest): Promise<DevTokenResponse> {
    if (this.config.AUTH_MODE !== 'dev') throw new NotFoundException();
    return signDevToken(this.config.DEV_JWT_SECRET, principalFromDevTokenRequest(body), body.expires_in ?? this.config.DEV_TOKEN_TTL_SECONDS);
  }
}
