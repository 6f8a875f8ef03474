import { rmSync } from 'node:fs';

/** Stops the servers of test/global-setup.ts and removes their temp dir and coordinates file. */
export default async function globalTeardown(): Promise<void> {
  const running = globalThis.__AMTSWEG_TEST_STACK__;
  if (!running) return;
  globalThis.__AMTSWEG_TEST_STACK__ = undefined;
  await Promise.allSettled(running.stop.map((stop) => stop()));
  rmSync(running.file, { force: true });
  rmSync(running.dir, { recursive: true, force: true });
}
