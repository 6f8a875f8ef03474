import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ROLES, TRUST_LEVELS } from '../../../../libs/auth/src/principal';
import type { Principal } from '../../../../libs/auth/src/principal';
import { ApiZodResponse } from '../docs/zod-openapi';
import { Authenticated, CurrentPrincipal } from './decorators';

const meSchema = z.object({
  sub: z.string(),
  roles: z.array(z.enum(ROLES)),
  trust_level: z.enum(TRUST_LEVELS),
  office: z.string().optional(),
  groups: z.array(z.string()),
  email: z.string().optional(),
  name: z.string().optional(),
});

/** GET /api/v1/me — the caller as the API sees them (claims names as in the token). */
@ApiTags('identity')
@Controller('me')
export class MeController {
  @Get()
  @Authenticated()
  @ApiOperation({ summary: 'The authenticated caller' })
  @ApiZodResponse(200, meSchema)
  me(@CurrentPrincipal() p: Principal): z.infer<typeof meSchema> {
    return {
      sub: p.sub,
      roles: [...p.roles],
      trust_level: p.trustLevel,
      ...(p.office !== undefined && { office: p.office }),
      groups: [...p.groups],
      ...(p.email !== undefined && { email: p.email }),
      ...(p.name !== undefined && { name: p.name }),
    };
  }
}
