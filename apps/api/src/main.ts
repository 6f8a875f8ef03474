import 'reflect-metadata';
import { ConfigError, loadConfig } from '../../../libs/config/src/config';
import type { AppConfig } from '../../../libs/config/src/config';
import { Logger } from 'nestjs-pino';
import { createApp } from './app.factory';

/**
 * Entry point of the API process (dist/apps/api/src/main.js). A bad configuration stops it with
 * the list of bad variables and exit code 1 — no stack trace.
 */
async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`amtsweg api: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }

  const app = await createApp(config);
  // On SIGTERM/SIGINT: stop accepting requests, let in-flight ones finish, close PostgreSQL, Temporal
  // and SMTP, then exit through process.exit so the log transport is flushed.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  await app.listen(config.PORT);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  app.get(Logger).log(`amtsweg API listening on port ${port} (AUTH_MODE=${config.AUTH_MODE}); OpenAPI at /docs`, 'Bootstrap');
}

main().catch((err: unknown) => {
  process.stderr.write(`amtsweg api: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
