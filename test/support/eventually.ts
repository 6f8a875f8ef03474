/**
 * Waits (wall clock) until the probe gives a truthy value and returns it; the worker and servers
 * under test keep processing meanwhile. For conditions that become true, never for proving that
 * something did NOT happen. No workflow time passes on the time-skipping server while it waits.
 */
export async function eventually<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
