import { ConfigError, loadConfig } from '../../../libs/config/src/config';
import type { AppConfig } from '../../../libs/config/src/config';
import { sandboxOptionsFromConfig } from './options';
import { startSandbox } from './sandbox';

/**
 * `npm run start:sandbox` (dist/apps/sandbox/src/main.js): the sandbox Fachverfahren SIMULATOR as a
 * process of its own. Stops cleanly on SIGINT/SIGTERM.
 */
async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`amtsweg sandbox: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  if (config.NODE_ENV === 'production') {
    process.stderr.write('amtsweg sandbox: refusing to run with NODE_ENV=production — this is a simulator.\n');
    process.exit(1);
  }
  const log = (line: string) => process.stdout.write(`[sandbox] ${line}\n`);
  const sandbox = await startSandbox({ ...sandboxOptionsFromConfig(config), log });
  log(`payment pages at ${sandbox.url}/pay/{paymentId}; state at ${sandbox.url}/sandbox/state`);
  let stopping = false;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (stopping) process.exit(130);
      stopping = true;
      log(`${sig}: stopping`);
      sandbox.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`amtsweg sandbox: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
