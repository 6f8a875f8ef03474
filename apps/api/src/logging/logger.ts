import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino from 'pino';
import type { Logger, LoggerOptions } from 'pino';
import type { Options as PinoHttpOptions } from 'pino-http';
import type { AppConfig } from '../../../../libs/config/src/config';

/**
 * Anything that may hold a credential or personal data, wherever it appears in a log object.
 * Bodies are never logged at all (the request serializer below drops them); this list is the
 * safety net for objects someone logs by hand.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-signature"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'authorization',
  'cookie',
  'body',
  'req.body',
  'token',
  'password',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
  '*.password',
  '*.secret',
  '*.iban',
  '*.email',
  '*.birthDate',
];

/** Query parameters whose values must never reach a log line (email-link tokens, codes). */
const SECRET_QUERY = /^(token|access_token|id_token|refresh_token|code|signature|sig|key|secret|password|email)$/i;

export function redactUrl(url: string | undefined): string | undefined {
  if (!url) return url;
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const key of [...new Set(params.keys())]) if (SECRET_QUERY.test(key)) params.set(key, '[REDACTED]');
  return `${url.slice(0, q)}?${params.toString()}`;
}

const REQUEST_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/** Honours a sane incoming X-Request-Id (from a proxy or client), else makes one; echoes it. */
export function requestIdFor(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

function usePretty(config: Pick<AppConfig, 'LOG_FORMAT' | 'NODE_ENV'>): boolean {
  if (config.LOG_FORMAT) return config.LOG_FORMAT === 'pretty';
  return config.NODE_ENV === 'development' && process.stdout.isTTY === true;
}

/** The process's root logger: JSON lines by default, pino-pretty on a developer's terminal. */
export function createRootLogger(config: Pick<AppConfig, 'LOG_LEVEL' | 'LOG_FORMAT' | 'NODE_ENV'>, destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level: config.LOG_LEVEL,
    base: { service: 'amtsweg-api' },
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (destination) return pino(options, destination);
  if (usePretty(config)) {
    options.transport = { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } };
  }
  return pino(options);
}

const QUIET_PATHS = new Set(['/health', '/health/live', '/metrics']);

/** pino-http options: one line per request with id, method, redacted URL, status and duration. */
export function httpLoggerOptions(logger: Logger): PinoHttpOptions {
  return {
    logger,
    genReqId: requestIdFor,
    customAttributeKeys: { reqId: 'requestId' },
    quietReqLogger: true,
    // Probes and scrapes every few seconds would drown everything else; /health logs state changes itself.
    autoLogging: { ignore: (req) => QUIET_PATHS.has((req.url ?? '').split('?')[0] ?? '') },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    // The serializers below read three fields of the raw objects; pino-std-serializers' wrappers
    // would first copy every header of each request and response (a measurable share of CPU).
    wrapSerializers: false,
    serializers: {
      // No headers, no body, no client address: only what identifies the request technically.
      req: (req: { id?: unknown; method?: string; url?: string; originalUrl?: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.originalUrl ?? req.url) }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
  };
}
