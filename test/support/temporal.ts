import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import { EncryptionCodec, encryptedDataConverter } from '../../libs/temporal/src/encryption-codec';
import { parsePayloadKeys } from '../../libs/temporal/src/payload-keys';
import { TEST_PAYLOAD_KEYS } from './payload-keys';

/** A task queue no other test uses, so workers of different test files never steal each other's tasks. */
export function uniqueTaskQueue(prefix = 'test'): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

function address(): string {
  const a = process.env.TEMPORAL_ADDRESS;
  if (!a) throw new Error('TEMPORAL_ADDRESS is not set: run the tests through jest (test/global-setup.ts starts Temporal)');
  return a;
}

export interface TestTemporal {
  client: Client;
  /** For Worker.create({ connection: nativeConnection, ... }). */
  nativeConnection: NativeConnection;
  namespace: string;
  close(): Promise<void>;
}

/**
 * A client and a worker connection to the run's shared Temporal dev server (search attributes
 * registered). Close it in afterAll. Pass `{ dataConverter: testDataConverter() }` for a client
 * that encrypts like production (its workers need the same converter).
 */
export async function connectTestTemporal(opts: { dataConverter?: DataConverter } = {}): Promise<TestTemporal> {
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  const connection = await Connection.connect({ address: address() });
  const nativeConnection = await NativeConnection.connect({ address: address() });
  return {
    client: new Client({ connection, namespace, dataConverter: opts.dataConverter }),
    nativeConnection,
    namespace,
    close: async () => {
      await nativeConnection.close();
      await connection.close();
    },
  };
}

export { TEST_PAYLOAD_KEYS };

/** The AES-256-GCM codec with the test key. */
export function testPayloadCodec(): EncryptionCodec {
  return new EncryptionCodec(parsePayloadKeys(TEST_PAYLOAD_KEYS));
}

/**
 * The production data converter (encrypted payloads, encoded failure messages) with the test key.
 * Give it to the test's client AND its workers (createWorkers({ dataConverter }), Worker.create):
 * they must agree, exactly like the API and the worker do in production.
 */
export function testDataConverter(): DataConverter {
  return encryptedDataConverter(testPayloadCodec());
}
