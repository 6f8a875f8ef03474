import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { json } from 'express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { pinoHttp } from 'pino-http';
import type { AppConfig } from '../../../libs/config/src/config';
import { repoRoot } from '../../../libs/config/src/paths';
import { AppModule } from './app.module';
import type { AppOverrides } from './app.module';
import { setupOpenApi } from './docs/openapi';
import { createRootLogger, httpLoggerOptions } from './logging/logger';
import { MetricsService } from './metrics/metrics.service';
import { fromBodyParserError } from './problem/body-parser-errors';
import { ProblemDetailsFilter } from './problem/problem.filter';

export type { AppOverrides } from './app.module';

export const API_PREFIX = 'api/v1';

/** Paths outside /api/v1: operations, docs (served by Swagger directly) and the payload codec. */
const UNPREFIXED = [
  { path: 'health', method: RequestMethod.ALL },
  { path: 'health/live', method: RequestMethod.ALL },
  { path: 'metrics', method: RequestMethod.ALL },
  { path: 'codec/{*path}', method: RequestMethod.ALL },
];

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Express's 'trust proxy': `true` means the one reverse proxy in front of us, a number that many hops. */
export function trustProxySetting(value: boolean | number): number | false {
  if (value === false) return false;
  return value === true ? 1 : value;
}

/**
 * Builds and initialises the API (not listening yet): `await (await createApp(config)).listen(0)`
 * in tests, `listen(config.PORT)` in main.ts. Middleware order, outermost first: request id +
 * access log, metrics, security headers, JSON body parser (with its errors turned into problems),
 * then NestJS (guards: auth, rate limit; pipes; the problem+json filter).
 */
export async function createApp(config: AppConfig, overrides: AppOverrides = {}): Promise<NestExpressApplication> {
  const logger = overrides.logger ?? createRootLogger(config);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, logger, overrides), {
    bufferLogs: true,
    bodyParser: false,
    rawBody: true, // HMAC-signed callbacks (integrations) verify the exact bytes: req.rawBody
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.set('trust proxy', trustProxySetting(config.TRUST_PROXY));
  app.disable('x-powered-by');

  app.use(pinoHttp(httpLoggerOptions(logger)));
  app.use(app.get(MetricsService).middleware());
  app.use(
    helmet({
      contentSecurityPolicy: {
        // Behind plain http (local development) upgrade-insecure-requests would break /docs' assets.
        directives: config.PUBLIC_BASE_URL.startsWith('https:') ? {} : { upgradeInsecureRequests: null },
      },
    }),
  );
  // The payload codec carries whole Temporal payloads (up to 2 MB each, base64 in JSON): its own limit.
  app.use('/codec', json({ limit: '8mb', type: ['application/json', 'application/*+json'] }));
  app.useBodyParser('json', { limit: `${config.HTTP_JSON_LIMIT_KB}kb`, type: ['application/json', 'application/*+json'] });
  app.use((err: unknown, _req: Request, _res: Response, next: NextFunction) => next(fromBodyParserError(err)));

  app.setGlobalPrefix(API_PREFIX, { exclude: UNPREFIXED });
  app.useGlobalFilters(new ProblemDetailsFilter(logger));
  setupOpenApi(app, packageVersion());

  await app.init();
  return app;
}
