import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig } from '../../../../libs/config/src/config';
import type { AppConfig } from '../../../../libs/config/src/config';
import { TEST_PAYLOAD_KEYS } from '../../../../test/support/payload-keys';
import { createApp } from '../app.factory';
import type { AppOverrides } from '../app.factory';

/**
 * Helpers for in-process API tests (no servers needed): a config from an explicit environment
 * (never the shell's), silent logs, and infrastructure that is never contacted unless a test asks.
 */
export function testConfig(env: Record<string, string> = {}): AppConfig {
  return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0', HEALTH_CACHE_MS: '0', PAYLOAD_KEYS: TEST_PAYLOAD_KEYS, ...env });
}

const up = async (): Promise<void> => undefined;

/** Temporal never connects, every health check is up (override single checks per test). */
export const offlineInfrastructure: AppOverrides = {
  connectTemporal: () => Promise.reject(new Error('no Temporal in in-process tests')),
  healthChecks: { database: up, temporal: up, mail: up },
};

export async function createTestApp(env: Record<string, string> = {}, overrides: AppOverrides = {}): Promise<NestExpressApplication> {
  return createApp(testConfig(env), {
    ...offlineInfrastructure,
    ...overrides,
    healthChecks: { ...offlineInfrastructure.healthChecks, ...overrides.healthChecks },
  });
}
