import { randomUUID } from 'node:crypto';
import { Client, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter, defineSearchAttributeKey } from '@temporalio/common';
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createEncryptionFixtureActivities } from '../../../test/fixtures/encryption-activities';
import { confirmAddressSignal } from '../../../test/fixtures/encryption-workflows';
import type { FixtureApplicant, fixtureCaseWorkflow, fixtureFailingCaseWorkflow } from '../../../test/fixtures/encryption-workflows';
import { fetchRawRecord, leaksIn } from '../../../test/support/raw-history';
import type { RawPayload } from '../../../test/support/raw-history';
import { testDataConverter, uniqueTaskQueue } from '../../../test/support/temporal';
import { createTemporalClient } from './connection';
import { ENCODING_ENCRYPTED } from './encryption-codec';
import { isSafeWorkflowId, piiGuardInterceptor, searchAttributeProblems } from './pii-guard';

// The issue's privacy test: the raw Temporal history of a case contains none of the applicant's
// name, address or IBAN in clear text. A fixture "case" workflow runs on a worker and a client that
// both use the production data converter (AES-256-GCM codec, encoded failures) with the test key;
// then a client WITHOUT the codec reads the raw history as the server stores it and every byte is
// scanned — for the strings and for their base64 forms.
const address = process.env.TEMPORAL_ADDRESS;
if (!address) throw new Error('TEMPORAL_ADDRESS is not set (test/global-setup.ts)');
const namespace = process.env.TEMPORAL_NAMESPACE || 'default';

const applicant: FixtureApplicant = { name: 'Erika Mustermann', address: 'Heidestraße 17, 51147 Köln', iban: 'DE89370400440532013000' };
/** The three strings, and distinctive parts of them (a leak of "Mustermann" alone is a leak too). */
const SECRETS = [applicant.name, applicant.address, applicant.iban, 'Mustermann', 'Heidestra', '51147', '0532013000'];

const encodingOf = (p: RawPayload) => Buffer.from(p.metadata?.encoding ?? []).toString('utf8');

let nativeConnection: NativeConnection;
let worker: Worker;
let running: Promise<void>;
let client: Client;
/** Same server, no codec: sees what Temporal stores. */
let raw: Client;
const taskQueue = uniqueTaskQueue('test-encryption');

beforeAll(async () => {
  nativeConnection = await NativeConnection.connect({ address });
  worker = await Worker.create({
    connection: nativeConnection,
    namespace,
    taskQueue,
    workflowsPath: require.resolve('../../../test/fixtures/encryption-workflows'),
    activities: createEncryptionFixtureActivities(),
    dataConverter: testDataConverter(),
    shutdownGraceTime: '2 seconds',
  });
  running = worker.run();
  client = await createTemporalClient({ address, namespace, dataConverter: testDataConverter(), interceptors: { workflow: [piiGuardInterceptor()] } });
  raw = new Client({ connection: client.connection, namespace });
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await client?.connection.close();
  await nativeConnection?.close();
});

describe('payload encryption against the real Temporal server', () => {
  it("a case's raw history holds none of the applicant's name, address or IBAN, yet the codec reads it all back", async () => {
    const workflowId = `case-${randomUUID()}`;
    expect(isSafeWorkflowId(workflowId)).toBe(true);
    const handle = await client.workflow.start<typeof fixtureCaseWorkflow>('fixtureCaseWorkflow', {
      taskQueue,
      workflowId,
      args: [{ applicant }],
      memo: { applicantName: applicant.name },
      typedSearchAttributes: [
        { key: defineSearchAttributeKey('AmtswegProcess', 'KEYWORD'), value: 'wohngeld' },
        { key: defineSearchAttributeKey('AmtswegCaseStatus', 'KEYWORD'), value: 'SUBMITTED' },
      ],
      workflowExecutionTimeout: '1 minute',
    });
    await handle.signal(confirmAddressSignal, applicant.address);
    const result = await handle.result();

    // With the codec: everything readable, including the activity's failure message.
    expect(result).toEqual({
      receipt: `Antrag von ${applicant.name}, ${applicant.address}, Auszahlung auf ${applicant.iban}`,
      confirmedAddress: applicant.address,
      bankError: `Die Bank lehnt die IBAN ${applicant.iban} ab`,
    });
    expect((await handle.describe()).memo).toEqual({ applicantName: applicant.name });

    // Without it: the raw bytes.
    const record = await fetchRawRecord(raw, namespace, workflowId);
    const types = record.events.map((e) => temporal.api.enums.v1.EventType[e.eventType ?? 0]);
    expect(types).toEqual(expect.arrayContaining(['EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED', 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED', 'EVENT_TYPE_ACTIVITY_TASK_FAILED', 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED']));
    expect(leaksIn(record.bytes, SECRETS)).toEqual([]);

    // Every payload is encrypted (input, signal, activity input/result, failure attributes, memo, result).
    expect(record.payloads.length).toBeGreaterThanOrEqual(8);
    expect(record.payloads.filter((p) => encodingOf(p) !== ENCODING_ENCRYPTED).map(encodingOf)).toEqual([]);

    // Search attributes (clear text by nature): ours are there and within the allowed vocabulary.
    const ours = Object.fromEntries(
      Object.entries(record.searchAttributes)
        .filter(([name]) => name.startsWith('Amtsweg'))
        .map(([name, p]) => [name, defaultPayloadConverter.fromPayload(p as Payload)]),
    );
    expect(ours).toEqual({ AmtswegProcess: 'wohngeld', AmtswegCaseStatus: 'SUBMITTED' });
    expect(searchAttributeProblems(ours as Record<string, string[]>)).toEqual([]);

    // The activity failure's message and stack trace were moved into an encrypted payload.
    const failed = record.events.find((e) => e.activityTaskFailedEventAttributes)?.activityTaskFailedEventAttributes?.failure;
    expect(failed?.message).toBe('Encoded failure');
    expect(failed?.stackTrace ?? '').toBe('');
    expect(failed?.encodedAttributes && encodingOf(failed.encodedAttributes)).toBe(ENCODING_ENCRYPTED);
  });

  it('a workflow failure quoting the applicant is encrypted too, and readable with the codec', async () => {
    const workflowId = `case-${randomUUID()}`;
    const handle = await client.workflow.start<typeof fixtureFailingCaseWorkflow>('fixtureFailingCaseWorkflow', { taskQueue, workflowId, args: [{ applicant }], workflowExecutionTimeout: '1 minute' });
    const err = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause?.message).toBe(`Antrag von ${applicant.name} abgelehnt: IBAN ${applicant.iban} ungültig`);
    expect((cause as ApplicationFailure).details).toEqual([applicant]);

    const record = await fetchRawRecord(raw, namespace, workflowId);
    const failure = record.events.find((e) => e.workflowExecutionFailedEventAttributes)?.workflowExecutionFailedEventAttributes?.failure;
    expect(failure?.message).toBe('Encoded failure');
    expect(leaksIn(record.bytes, SECRETS)).toEqual([]);
  });

  it('control: the same scan finds the data in a history written without the codec (the scan can fail)', async () => {
    // Started (not run) with a plain client: the input sits in WorkflowExecutionStarted in clear text.
    const workflowId = `case-${randomUUID()}`;
    const handle = await raw.workflow.start('fixtureCaseWorkflow', { taskQueue: uniqueTaskQueue('test-encryption-unpolled'), workflowId, args: [{ applicant }], memo: { applicantName: applicant.name } });
    try {
      const record = await fetchRawRecord(raw, namespace, workflowId);
      expect(leaksIn(record.bytes, SECRETS)).toEqual(expect.arrayContaining([applicant.name, applicant.address, applicant.iban]));
      expect(record.payloads.map(encodingOf)).toContain('json/plain');
    } finally {
      await handle.terminate('control run done');
    }
  });

  it('the scan also recognises base64-encoded clear text', () => {
    for (const pad of ['', 'x', 'xy']) {
      expect(leaksIn(Buffer.from(`{"a":"${Buffer.from(`${pad}${applicant.iban}`).toString('base64')}"}`), SECRETS)).toEqual(expect.arrayContaining([expect.stringContaining(`${applicant.iban} (base64`)]));
    }
  });

  it('the API-side client refuses a workflow id that could carry personal data', async () => {
    await expect(client.workflow.start('fixtureCaseWorkflow', { taskQueue, workflowId: 'case-erika-mustermann', args: [{ applicant }] })).rejects.toThrow(/workflow id refused/);
  });
});
