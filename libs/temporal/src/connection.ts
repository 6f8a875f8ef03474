import { Client, Connection } from '@temporalio/client';
import type { ClientInterceptors } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { createDataConverter } from './data-converter';

export interface TemporalClientOptions {
  address: string;
  namespace: string;
  /** Must match the workers' converter (payload encryption); defaults to createDataConverter(). */
  dataConverter?: DataConverter;
  /** Client interceptors, e.g. `{ workflow: [piiGuardInterceptor()] }` (pii-guard.ts) in the API. */
  interceptors?: ClientInterceptors;
}

/**
 * Connects a Temporal client. Close it with `client.connection.close()` on shutdown.
 */
export async function createTemporalClient(opts: TemporalClientOptions): Promise<Client> {
  const connection = await Connection.connect({ address: opts.address });
  return new Client({ connection, namespace: opts.namespace, dataConverter: opts.dataConverter ?? createDataConverter(), interceptors: opts.interceptors });
}
