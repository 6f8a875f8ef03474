import { z } from 'zod';

/**
 * Every environment variable amtsweg reads, validated once at boot. A bad value stops the process
 * with a message naming the variable (see loadConfig), never a crash later in a request.
 * Durations are ISO 8601 (e.g. PT15M) so operators write them the way ZMS documents them.
 */
const isoDuration = z
  .string()
  .regex(/^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/, 'must be an ISO 8601 duration such as PT15M');

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATA_DIR: z.string().min(1).default('.data'),

    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    PUBLIC_BASE_URL: z.string().url().default('http://localhost:3000'),
    TRUST_PROXY: bool.default(false),
    RATE_LIMIT_PUBLIC_PER_MINUTE: z.coerce.number().int().positive().default(60),

    AUTH_MODE: z.enum(['dev', 'oidc']).default('dev'),
    DEV_JWT_SECRET: z.string().min(32).default('amtsweg-local-development-signing-key-not-for-production'),
    OIDC_ISSUER: z.string().url().optional(),
    OIDC_AUDIENCE: z.string().min(1).optional(),
    OIDC_JWKS_URL: z.string().url().optional(),
    OIDC_ALGORITHMS: z.string().default('RS256,ES256,PS256'),

    TEMPORAL_ADDRESS: z.string().min(1).default('localhost:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_UI_PORT: z.coerce.number().int().min(0).max(65535).default(8233),
    WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),

    DATABASE_URL: z.string().min(1).default('postgres://amtsweg:amtsweg@localhost:5432/amtsweg'),
    DATABASE_POOL_MAX: z.coerce.number().int().positive().default(20),

    SMTP_URL: z.string().min(1).default('smtp://localhost:1025'),
    MAIL_FROM: z.string().min(3).default('amtsweg Berlin <noreply@amtsweg.berlin.example>'),
    MAIL_WEB_PORT: z.coerce.number().int().min(0).max(65535).default(1080),

    /** Payload encryption keys: "keyId:base64key,keyId2:base64key2"; the first is used to encrypt. */
    PAYLOAD_KEYS: z.string().optional(),

    APPOINTMENT_HOLD: isoDuration.default('PT15M'),
    APPOINTMENT_REMINDER_LEAD: isoDuration.default('PT2H'),
    APPOINTMENT_BOOKING_HORIZON: isoDuration.default('P60D'),
    ALARM_OFFER_HOLD: isoDuration.default('PT30M'),
    ALARM_LIFETIME: isoDuration.default('P30D'),
  })
  .superRefine((c, ctx) => {
    if (c.NODE_ENV === 'production' && c.AUTH_MODE === 'dev') {
      ctx.addIssue({ code: 'custom', path: ['AUTH_MODE'], message: 'AUTH_MODE=dev is refused when NODE_ENV=production; use oidc' });
    }
    if (c.AUTH_MODE === 'oidc' && !c.OIDC_ISSUER) {
      ctx.addIssue({ code: 'custom', path: ['OIDC_ISSUER'], message: 'required when AUTH_MODE=oidc' });
    }
    if (c.AUTH_MODE === 'oidc' && !c.OIDC_AUDIENCE) {
      ctx.addIssue({ code: 'custom', path: ['OIDC_AUDIENCE'], message: 'required when AUTH_MODE=oidc' });
    }
    if (c.NODE_ENV === 'production' && !c.PAYLOAD_KEYS) {
      ctx.addIssue({ code: 'custom', path: ['PAYLOAD_KEYS'], message: 'required in production: payloads must be encrypted with keys you manage' });
    }
  });

export type AppConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws ConfigError listing every bad variable at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // Empty strings count as unset, so `FOO= npm start` falls back to the default instead of failing.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`));
  }
  return parsed.data;
}
