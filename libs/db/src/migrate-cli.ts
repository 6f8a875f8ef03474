/**
 * `npm run migrate`: applies pending migrations to DATABASE_URL and exits (0 on success, 1 on
 * failure). A release step in production; `npm start` and the tests call migrate() themselves.
 */
import pino from 'pino';
import { ConfigError, loadConfig } from '../../config/src/config';
import { migrate } from './migrate';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ base: { service: 'amtsweg-migrate' }, level: config.LOG_LEVEL, timestamp: pino.stdTimeFunctions.isoTime });
  const applied = await migrate(config.DATABASE_URL, (m) => logger.info(m));
  logger.info({ applied }, applied.length ? `applied ${applied.length} migration(s)` : 'schema is up to date');
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    // A ConfigError already names every bad variable; anything else is printed with its stack.
    process.stderr.write(`${e instanceof ConfigError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
