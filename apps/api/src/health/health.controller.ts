import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/decorators';
import { NoRateLimit } from '../rate-limit/no-rate-limit.decorator';
import { HealthService } from './health.service';
import type { HealthReport } from './health-checks';

const reportSchema = {
  type: 'object',
  required: ['status', 'checks'],
  properties: {
    status: { type: 'string', enum: ['ok', 'unavailable'] },
    checks: {
      type: 'object',
      properties: {
        database: { type: 'string', enum: ['up', 'down'] },
        temporal: { type: 'string', enum: ['up', 'down'] },
        mail: { type: 'string', enum: ['up', 'down'] },
      },
    },
  },
};

@ApiTags('operations')
@Controller('health')
@Public()
@NoRateLimit()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** Readiness: 200 when PostgreSQL, Temporal and SMTP answer, else 503 naming the ones down. */
  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Readiness: the API and its dependencies' })
  @ApiResponse({ status: 200, description: 'All dependencies are up', schema: reportSchema })
  @ApiResponse({ status: 503, description: 'At least one dependency is down', schema: reportSchema })
  async check(@Res({ passthrough: true }) res: Response): Promise<HealthReport> {
    const report = await this.health.report();
    res.status(report.status === 'ok' ? 200 : 503);
    return report;
  }

  /** Liveness: the process answers HTTP; says nothing about dependencies (don't restart on their outage). */
  @Get('live')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Liveness: the process is serving' })
  @ApiResponse({ status: 200, description: 'Alive', schema: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
