import type { Pool } from 'pg';
import type { Transporter } from 'nodemailer';
import type { AppConfig } from '../libs/config/src/config';
import type { AdapterRegistry } from '../libs/fachverfahren/src/registry';

/**
 * Everything activities may touch, built once per worker process (apps/worker) or per test.
 * Activities get their dependencies only from here — never from module-level singletons — so a
 * test can hand in a real database and SMTP sink, or fakes.
 *
 * Adding a capability group (cases, tasks, identity, appointments, payments, fachverfahren):
 * 1. Add what it needs here, as an interface from libs/* (e.g. `fachverfahren: AdapterRegistry`,
 *    `payments: PaymentAdapter`), optional only if the worker can run without it.
 * 2. Build it in the worker: a provider in apps/worker/src/worker.module.ts (like POOL), injected
 *    into WorkerHost, which puts it into the deps in doStart() and closes it in
 *    onApplicationShutdown, after the workers have drained. Tests build deps themselves.
 * 3. Write `activities/<group>/index.ts` exporting `create<Group>Activities(deps: ActivityDeps)`
 *    that returns an object of async functions, and spread it into createActivities().
 * Activity names are global per worker: prefix nothing, but keep names unique across groups.
 */
export interface ActivityDeps {
  /** The application's PostgreSQL pool (owned by the caller; activities never end it). */
  pool: Pool;
  /** Outgoing mail. */
  mail: {
    transport: Pick<Transporter, 'sendMail'>;
    /** Sender, MAIL_FROM. */
    from: string;
  };
  /** Validated configuration (durations, base URLs for links in mails, …). */
  config: AppConfig;
  /** Fachverfahren adapters; built from config (FACHVERFAHREN_ADAPTERS) when absent. Tests pass fakes. */
  fachverfahren?: AdapterRegistry;
}
