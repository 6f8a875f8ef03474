// Types for scripts/test-server-ensure.js (plain CommonJS so it runs before any build).
/** Path of the wrapper script that starts the time-skipping test server: `<wrapper> <port>`. */
export function ensureTestServer(opts?: { log?: (message: string) => void }): Promise<string>;
export class TestServerToolMissing extends Error {}
export const TEST_SERVER_VERSION: string;
