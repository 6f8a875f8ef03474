import { resolve } from 'node:path';
import type { AppConfig } from '../../../libs/config/src/config';
import { adapterConfigsOf } from '../../../libs/fachverfahren/src/registry';
import type { SandboxOptions } from './sandbox';

/** "20-200" → [20, 200]; "50" → [50, 50]. */
export function parseDelay(spec: string): [number, number] {
  const [a, b] = spec.split('-').map(Number) as [number, number | undefined];
  const min = a;
  const max = b ?? a;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < min) throw new TypeError(`bad delay "${spec}": use "min-max" milliseconds`);
  return [min, max];
}

/**
 * The sandbox as `npm run start:sandbox` (and `npm start`) runs it: on SANDBOX_HOST:SANDBOX_PORT,
 * knowing the secrets of the configured adapters (so it verifies amtsweg's requests and signs its
 * callbacks as the adapters' remotes would), calling back AMTSWEG_CALLBACK_URL (default
 * PUBLIC_BASE_URL), its state in DATA_DIR/sandbox/state.json.
 */
export function sandboxOptionsFromConfig(config: AppConfig): SandboxOptions {
  const secrets = Object.fromEntries(adapterConfigsOf(config).map((a) => [a.name, a.secret]));
  return {
    port: config.SANDBOX_PORT,
    host: config.SANDBOX_HOST,
    secrets,
    defaultSecret: config.FACHVERFAHREN_SANDBOX_SECRET,
    callbackUrl: config.AMTSWEG_CALLBACK_URL ?? config.PUBLIC_BASE_URL,
    delayMs: parseDelay(config.SANDBOX_DELAY_MS),
    stateFile: resolve(config.DATA_DIR, 'sandbox', 'state.json'),
  };
}
