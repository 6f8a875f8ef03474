import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Coordinates of the servers test/global-setup.ts started for one jest run. The file's path travels
 * to the test processes in AMTSWEG_TEST_STACK_FILE, so two jest runs side by side (two developers on
 * one machine) each find their own servers.
 */
export interface TestStack {
  TEMPORAL_ADDRESS: string;
  TEMPORAL_NAMESPACE: string;
  TEST_PG_ADMIN_URL: string;
  SMTP_URL: string;
  MAIL_API_URL: string;
  TEMPORAL_CLI_PATH: string;
  TEMPORAL_TEST_SERVER_PATH: string;
}

export const STACK_FILE_ENV = 'AMTSWEG_TEST_STACK_FILE';

export function stackFilePath(): string {
  return join(tmpdir(), `amtsweg-test-stack-${process.pid}.json`);
}
