import { Connection } from '@temporalio/client';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { searchAttributeFlags, SEARCH_ATTRIBUTES } from '../../temporal/src/search-attributes';
import { canConnect } from './ports';
import { startProcess, waitUntil } from './process';
import type { ManagedProcess } from './process';

export interface TemporalDevServerOptions {
  /** Path of the Temporal CLI (scripts/temporal-ensure.js finds or builds it). */
  cliPath: string;
  /** Directory for the SQLite file; state survives restarts. */
  dataDir: string;
  logFile: string;
  ip?: string;
  port: number;
  /** Web UI port; omit for a headless server (tests). */
  uiPort?: number;
  /** Remote payload codec for the Web UI (the API's /codec), so staff can read encrypted payloads. */
  uiCodecEndpoint?: string;
  namespace?: string;
  onLine?: (line: string) => void;
  startTimeoutMs?: number;
}

export interface TemporalDevServer {
  /** host:port of the frontend, the value for TEMPORAL_ADDRESS. */
  address: string;
  namespace: string;
  uiUrl?: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * Starts `temporal server start-dev` with a SQLite file and the project's search attributes, and
 * resolves once the frontend answers gRPC and the namespace knows those attributes (the CLI
 * registers them just after the port opens; a workflow started earlier would be rejected).
 */
export async function startTemporalDevServer(opts: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const ip = opts.ip ?? '127.0.0.1';
  const namespace = opts.namespace ?? 'default';
  mkdirSync(opts.dataDir, { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    ip,
    '--port',
    String(opts.port),
    '--db-filename',
    join(opts.dataDir, 'temporal.db'),
    '--namespace',
    namespace,
    '--log-format',
    'text',
    '--log-level',
    'warn',
    ...searchAttributeFlags(),
  ];
  if (opts.uiPort !== undefined) args.push('--ui-port', String(opts.uiPort));
  else args.push('--headless');
  if (opts.uiCodecEndpoint) args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);

  const proc = startProcess({ name: 'temporal', command: opts.cliPath, args, logFile: opts.logFile, onLine: opts.onLine, stopSignal: 'SIGTERM', stopTimeoutMs: 15_000 });
  const address = `${ip}:${opts.port}`;
  const timeoutMs = opts.startTimeoutMs ?? 60_000;
  try {
    await waitUntil(() => canConnect(opts.port, ip), { what: `the Temporal frontend on ${address}`, timeoutMs, process: proc });
    const connection = await Connection.connect({ address, connectTimeout: 5_000 });
    try {
      await waitUntil(
        async () => {
          await connection.workflowService.getSystemInfo({});
          const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
          return Object.keys(SEARCH_ATTRIBUTES).every((name) => customAttributes?.[name] !== undefined);
        },
        { what: `namespace "${namespace}" with the amtsweg search attributes`, timeoutMs, process: proc },
      );
    } finally {
      await connection.close();
    }
    if (opts.uiPort !== undefined) {
      const uiPort = opts.uiPort;
      await waitUntil(() => canConnect(uiPort, ip), { what: `the Temporal Web UI on port ${uiPort}`, timeoutMs, process: proc });
    }
  } catch (e) {
    await proc.stop();
    throw e;
  }
  return {
    address,
    namespace,
    uiUrl: opts.uiPort !== undefined ? `http://localhost:${opts.uiPort}` : undefined,
    process: proc,
    stop: async () => {
      await proc.stop();
    },
  };
}
