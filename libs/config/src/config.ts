import { z } from 'zod';
import { addDuration } from '../../domain/src/duration';
import { parsePayloadKeys } from '../../temporal/src/payload-keys';

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

/**
 * One Fachverfahren adapter, an entry of FACHVERFAHREN_ADAPTERS (JSON array). `type` picks the
 * implementation in libs/fachverfahren/src/registry.ts (`http` = the reference HTTP adapter);
 * `name` is also the callback path segment. See docs/adding-a-fachverfahren-adapter.md.
 */
export const fachverfahrenAdapterSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'lower-case letters, digits and -, at most 40'),
    kind: z.enum(['submission', 'payment']),
    type: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/).default('http'),
    baseUrl: z.string().url().optional(),
    /** HMAC-SHA-512 secret shared with the remote (signs requests, verifies its callbacks). */
    secret: z.string().min(32),
    /** The secret before a rotation, still accepted on inbound callbacks. */
    previousSecret: z.string().min(32).optional(),
    timeoutMs: z.number().int().positive().max(120_000).optional(),
    /** Implementation-specific settings of non-http types. */
    options: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type FachverfahrenAdapterConfig = z.infer<typeof fachverfahrenAdapterSchema>;

const fachverfahrenAdaptersJson = z
  .string()
  .transform((s, ctx): unknown => {
    try {
      return JSON.parse(s);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of adapters, see docs/adding-a-fachverfahren-adapter.md' });
      return z.NEVER;
    }
  })
  .pipe(
    z.array(fachverfahrenAdapterSchema).refine((list) => new Set(list.map((a) => a.name)).size === list.length, { message: 'adapter names must be unique' }),
  );

/** Signs the default sandbox adapters' traffic; refused in production (see the refinement below). */
export const FACHVERFAHREN_SANDBOX_SECRET_DEFAULT = 'amtsweg-sandbox-hmac-secret-for-local-development-only';

export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** json (default) or pretty; unset means pretty only for NODE_ENV=development on a terminal. */
    LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
    DATA_DIR: z.string().min(1).default('.data'),

    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    PUBLIC_BASE_URL: z.string().url().default('http://localhost:3000'),
    /** false, true (one reverse proxy in front) or the number of proxy hops to trust for the client IP. */
    TRUST_PROXY: z.union([bool, z.coerce.number().int().min(1).max(10)]).default(false),
    RATE_LIMIT_PUBLIC_PER_MINUTE: z.coerce.number().int().positive().default(60),
    /** Per caller (token subject) and endpoint; higher than the public limit. */
    RATE_LIMIT_AUTHENTICATED_PER_MINUTE: z.coerce.number().int().positive().default(600),
    /** Largest accepted JSON request body (document uploads are multipart and have their own limit). */
    HTTP_JSON_LIMIT_KB: z.coerce.number().int().positive().max(10240).default(100),
    /** Each /health check gives up after this long and counts as down. */
    HEALTH_CHECK_TIMEOUT_MS: z.coerce.number().int().positive().max(60000).default(2000),
    /** /health reuses a result this young (ms), so probes and load tests do not hammer the dependencies. */
    HEALTH_CACHE_MS: z.coerce.number().int().min(0).max(60000).default(1000),

    AUTH_MODE: z.enum(['dev', 'oidc']).default('dev'),
    DEV_JWT_SECRET: z.string().min(32).default('amtsweg-local-development-signing-key-not-for-production'),
    OIDC_ISSUER: z.string().url().optional(),
    OIDC_AUDIENCE: z.string().min(1).optional(),
    OIDC_JWKS_URL: z.string().url().optional(),
    OIDC_ALGORITHMS: z.string().default('RS256,ES256,PS256'),
    /** Leeway for exp/nbf/iat between the issuer's clock and ours. */
    OIDC_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
    /** Lifetime of tokens from POST /api/v1/dev/token (AUTH_MODE=dev only). */
    DEV_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86400).default(3600),

    TEMPORAL_ADDRESS: z.string().min(1).default('localhost:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_UI_PORT: z.coerce.number().int().min(0).max(65535).default(8233),
    WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),

    DATABASE_URL: z.string().min(1).default('postgres://amtsweg:amtsweg@localhost:5432/amtsweg'),
    DATABASE_POOL_MAX: z.coerce.number().int().positive().default(20),
    /** Largest document accepted into a case file (uploads and generated notices), bytes; default 10 MiB. */
    DOCUMENT_MAX_BYTES: z.coerce.number().int().positive().max(100 * 1024 * 1024).default(10 * 1024 * 1024),
    /**
     * How long a closed case keeps its personal data (e-mail address, documents, the data in its
     * tasks) after it reached COMPLETED or WITHDRAWN; then the daily retention sweep erases them and
     * keeps case number, statuses and audit trail. Each office's Aktenplan sets this per file type;
     * the default is a placeholder, not a legal value. At least a year: a Wohngeld case is COMPLETED
     * while its 12-month approval period still runs.
     */
    CASE_RETENTION: isoDuration.refine((d) => addDuration(new Date(0), d).getTime() >= 365 * 86_400_000, 'must be at least one year (P1Y)').default('P6Y'),
    /** When the retention sweep runs: a cron expression in Europe/Berlin time (default 02:30 every night). */
    CASE_RETENTION_SWEEP_CRON: z.string().regex(/^\S+( \S+){4}$/, 'a five-field cron expression such as "30 2 * * *"').default('30 2 * * *'),
    /** Idempotency-Key: how long the first result of a key is kept and replayed. */
    IDEMPOTENCY_KEY_TTL_HOURS: z.coerce.number().int().positive().max(24 * 30).default(24),

    SMTP_URL: z.string().min(1).default('smtp://localhost:1025'),
    MAIL_FROM: z.string().min(3).default('amtsweg Berlin <noreply@amtsweg.berlin.example>'),
    MAIL_WEB_PORT: z.coerce.number().int().min(0).max(65535).default(1080),

    /**
     * Payload encryption keys: "keyId:base64key,keyId2:base64key2" (each key 32 bytes, e.g.
     * `openssl rand -base64 32`); the first encrypts, all decrypt (rotation). Unset outside
     * production: a local key in DATA_DIR/payload-keys (libs/temporal/src/payload-keys.ts).
     */
    PAYLOAD_KEYS: z
      .string()
      .superRefine((v, ctx) => {
        try {
          parsePayloadKeys(v);
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: (e as Error).message });
        }
      })
      .optional(),
    /**
     * Browser origins allowed to call the payload codec endpoint (/codec, the Temporal Web UI's
     * remote codec), comma-separated. Unset: the local Web UI, http://localhost:<TEMPORAL_UI_PORT>
     * and http://127.0.0.1:<TEMPORAL_UI_PORT>.
     */
    CODEC_CORS_ORIGINS: z
      .string()
      .refine((v) => v.split(',').every((o) => /^https?:\/\/[^/\s,]+$/.test(o.trim())), 'comma-separated origins such as https://temporal.example.org (scheme, host, optional port; no path)')
      .optional(),

    /** How long a slot is held for an unconfirmed booking (holdExpiresAt = booking + this; ZMS: 15–30 min). */
    APPOINTMENT_HOLD: isoDuration.default('PT15M'),
    /**
     * The least time the citizen has to click the confirmation link after the mail went out: when
     * the mail is late (SMTP down), the hold is extended to mail sent + this (ZMS "preconfirmed").
     */
    APPOINTMENT_CONFIRM_WINDOW: isoDuration.default('PT10M'),
    APPOINTMENT_REMINDER_LEAD: isoDuration.default('PT2H'),
    APPOINTMENT_BOOKING_HORIZON: isoDuration.default('P60D'),
    /** Slot length when an admin publishes capacity without slotMinutes (ZMS: 10 minutes). */
    APPOINTMENT_SLOT_LENGTH: isoDuration.default('PT10M'),
    /** Active (reserved or confirmed, not yet past) appointments one email address may hold. */
    APPOINTMENTS_PER_EMAIL_LIMIT: z.coerce.number().int().min(1).max(100).default(2),
    /**
     * A seat freed from a full slot (cancelled, rescheduled away, hold lapsed) stays withheld from
     * the public this long: the Terminalarm queue's window and the block against slot trading
     * (ZMS: 10–30 min). See docs/appointments.md ("The alarm seam").
     */
    SLOT_RELEASE_BLOCK: isoDuration.default('PT15M'),
    /** Newly published slots stay withheld from the public this long (for the Terminalarm queue); PT0S = public at once. */
    SLOT_PUBLISH_WITHHOLD: isoDuration.default('PT0S'),
    ALARM_OFFER_HOLD: isoDuration.default('PT30M'),
    ALARM_LIFETIME: isoDuration.default('P30D'),
    /** Terminalarm: the "extend by link" mail goes out this long before an alarm expires (shorter than ALARM_LIFETIME). */
    ALARM_EXPIRY_WARNING: isoDuration.default('P2D'),

    /** Gewerbeanmeldung: the online fee in euros with two decimals (Berlin: 15 € online, 26 € on paper). */
    GEWERBE_FEE_EUR: z.string().regex(/^(0|[1-9]\d{0,8})\.\d{2}$/, 'euros with two decimals, e.g. 15.00').default('15.00'),
    /** Gewerbeanmeldung: unpaid this long after the fee is asked for → the case closes with a notice. */
    GEWERBE_PAYMENT_DEADLINE: isoDuration.default('P7D'),
    /** Gewerbeanmeldung: how long the provider keeps a payment link payable; after the case ends with one open, a "paid" is awaited this long and refunded. */
    GEWERBE_PAYMENT_LINK_LIFETIME: isoDuration.default('P7D'),
    /** Gewerbeanmeldung: the receipt (Empfangsbescheinigung) is due this long after the complete Anzeige (§ 15 Abs. 1 GewO: three days). */
    GEWERBE_RECEIPT_DEADLINE: isoDuration.default('P3D'),
    /** Gewerbeanmeldung: when the receipt is still not issued this long after the complete Anzeige, a task in group `gewerbe` escalates. */
    GEWERBE_RECEIPT_ESCALATION: isoDuration.default('P2D'),

    /** Wohngeld: time the applicant has for the requested proofs (§ 66 Abs. 3 SGB I: an appropriate deadline). */
    WOHNGELD_PROOF_DEADLINE: isoDuration.default('P14D'),
    /** Wohngeld: still-missing proofs are asked for again this long after the request. */
    WOHNGELD_PROOF_REMINDER: isoDuration.default('P7D'),
    /** Wohngeld: a monthly amount above this many euros needs a second caseworker (four eyes); changes by hand always do. */
    WOHNGELD_FOUR_EYES_ABOVE_EUR: z.coerce.number().int().min(0).max(100_000).default(800),
    /** Wohngeld: the approval period in months (§ 25 WoGG: usually 12, at most 24). */
    WOHNGELD_APPROVAL_MONTHS: z.coerce.number().int().min(1).max(24).default(12),
    /** Wohngeld: the reminder to apply again goes out this long before the approval period ends (days, weeks, months). */
    WOHNGELD_REAPPLY_LEAD: isoDuration.refine((d) => !d.includes('T'), 'whole days, weeks or months, e.g. P2M').default('P2M'),
    /** Wohngeld: caseworker tasks (review, § 66 SGB I) are due this long after they are opened; then they escalate. */
    WOHNGELD_REVIEW_DUE_IN: isoDuration.default('P5D'),

    /**
     * Fachverfahren adapters (JSON array of fachverfahrenAdapterSchema). Unset: the sandbox's five
     * adapters (wohngeld, gewerberegister, gewo14, parkausweis, epayment) on SANDBOX_PORT — refused in production.
     */
    FACHVERFAHREN_ADAPTERS: fachverfahrenAdaptersJson.optional(),
    /** HMAC secret of the default sandbox adapters (local development and tests only). */
    FACHVERFAHREN_SANDBOX_SECRET: z.string().min(32).default(FACHVERFAHREN_SANDBOX_SECRET_DEFAULT),
    /** The sandbox Fachverfahren simulator (apps/sandbox, `npm run start:sandbox`). */
    SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
    SANDBOX_HOST: z.string().min(1).default('127.0.0.1'),
    /** Simulated latency per sandbox request: "min-max" milliseconds, or one number. */
    SANDBOX_DELAY_MS: z.string().regex(/^\d{1,5}(-\d{1,5})?$/, 'milliseconds as "min-max", e.g. 20-200').default('20-200'),
    /** Where the sandbox sends its signed callbacks (the amtsweg API); defaults to PUBLIC_BASE_URL. */
    AMTSWEG_CALLBACK_URL: z.string().url().optional(),
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
    if (c.AUTH_MODE === 'oidc' && typeof c.OIDC_ALGORITHMS === 'string') {
      const algs = c.OIDC_ALGORITHMS.split(',').map((a) => a.trim()).filter(Boolean);
      const bad = algs.filter((a) => !/^(RS|PS|ES)(256|384|512)$|^EdDSA$|^Ed25519$/.test(a));
      if (algs.length === 0 || bad.length > 0) {
        ctx.addIssue({ code: 'custom', path: ['OIDC_ALGORITHMS'], message: `only asymmetric JWS algorithms (RS*, PS*, ES*, EdDSA) are allowed${bad.length ? `, not ${bad.join(', ')}` : ''}` });
      }
    }
    if (c.NODE_ENV === 'production' && c.FACHVERFAHREN_ADAPTERS === undefined) {
      ctx.addIssue({ code: 'custom', path: ['FACHVERFAHREN_ADAPTERS'], message: 'required in production: the default points at the sandbox simulator' });
    }
    if (c.NODE_ENV === 'production' && Array.isArray(c.FACHVERFAHREN_ADAPTERS) && c.FACHVERFAHREN_ADAPTERS.some((a) => a.secret === FACHVERFAHREN_SANDBOX_SECRET_DEFAULT)) {
      ctx.addIssue({ code: 'custom', path: ['FACHVERFAHREN_ADAPTERS'], message: 'the sandbox secret is refused in production' });
    }
    const durationMs = (d: unknown) => { try { return typeof d === 'string' ? addDuration(new Date(0), d).getTime() : NaN; } catch { return NaN; } }; // prettier-ignore
    if (durationMs(c.ALARM_EXPIRY_WARNING) >= durationMs(c.ALARM_LIFETIME)) {
      ctx.addIssue({ code: 'custom', path: ['ALARM_EXPIRY_WARNING'], message: 'must be shorter than ALARM_LIFETIME (the warning would go out when the alarm is made)' });
    }
    if (c.NODE_ENV === 'production' && !c.PAYLOAD_KEYS) {
      ctx.addIssue({ code: 'custom', path: ['PAYLOAD_KEYS'], message: 'required in production: payloads must be encrypted with keys you manage' });
    }
    if (typeof c.GEWERBE_RECEIPT_ESCALATION === 'string' && typeof c.GEWERBE_RECEIPT_DEADLINE === 'string') {
      const at = new Date(0);
      if (addDuration(at, c.GEWERBE_RECEIPT_ESCALATION) >= addDuration(at, c.GEWERBE_RECEIPT_DEADLINE)) {
        ctx.addIssue({ code: 'custom', path: ['GEWERBE_RECEIPT_ESCALATION'], message: 'must be shorter than GEWERBE_RECEIPT_DEADLINE: the task has to come before the receipt is late' });
      }
    }
  }, { when: () => true }); // cross-field rules run even when another variable is bad, so one run names every problem

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
