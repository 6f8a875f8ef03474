import type { LoggerService } from '@nestjs/common';
import pino from 'pino';
import type { Logger, LoggerOptions } from 'pino';
import type { AppConfig } from '../../../libs/config/src/config';

/**
 * Fields that may carry personal data or secrets, wherever they appear in a logged object. The
 * worker logs ids (workflow id, Message-ID, case number), never addresses, names or mail text;
 * this list is the safety net for objects logged by hand (activity inputs, SMTP errors).
 */
export const WORKER_REDACT_PATHS = [
  'to',
  'email',
  'notifyTo',
  'text',
  'html',
  'password',
  'iban',
  '*.to',
  '*.email',
  '*.notifyTo',
  '*.text',
  '*.html',
  '*.name',
  '*.address',
  '*.iban',
  '*.password',
  '*.token',
  // an activity's task token lets its holder complete the activity; it is long and useless in logs
  'taskToken',
];

/** The worker's root logger: JSON lines, or pino-pretty on a developer's terminal (LOG_FORMAT). */
export function createWorkerLogger(config: Pick<AppConfig, 'LOG_LEVEL' | 'LOG_FORMAT' | 'NODE_ENV'>): Logger {
  const pretty = config.LOG_FORMAT ? config.LOG_FORMAT === 'pretty' : config.NODE_ENV === 'development' && process.stdout.isTTY === true;
  const options: LoggerOptions = {
    level: config.LOG_LEVEL,
    base: { service: 'amtsweg-worker' },
    redact: { paths: WORKER_REDACT_PATHS, censor: '[REDACTED]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (pretty) {
    options.transport = { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } };
  }
  return pino(options);
}

/** Nest's own messages (module wiring, lifecycle) through pino; its chatty `log` level maps to debug. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
