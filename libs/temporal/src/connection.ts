import { Client, Connection } from '@temporalio/client';

export interface TemporalClientOptions {
  address: string;
  namespace: string;
}

/** Connects a Temporal client; the data converter (payload encryption) is added in data-converter.ts. */
export async function createTemporalClient(opts: TemporalClientOptions): Promise<Client> {
  const connection = await Connection.connect({ address: opts.address });
  return new Client({ connection, namespace: opts.namespace });
}
