import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

// The privacy checks of the specs read a workflow as the Temporal server stores it — no codec —
// and look for personal data in the bytes, in clear or base64-encoded.

export interface RawPayload {
  metadata?: Record<string, Uint8Array> | null;
  data?: Uint8Array | null;
}

export interface RawRecord {
  /** Every history page and the describe response, protobuf-encoded as the server sent them. */
  bytes: Buffer;
  /** Every Payload message in the history and the describe response (search attributes aside). */
  payloads: RawPayload[];
  events: temporal.api.history.v1.IHistoryEvent[];
  /** The indexed search attributes (stored in clear by design: checked separately). */
  searchAttributes: Record<string, RawPayload>;
}

/** Every Payload message anywhere in a decoded protobuf object. */
export function payloadsIn(value: unknown, out: RawPayload[] = []): RawPayload[] {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return out;
  if (Array.isArray(value)) {
    for (const v of value) payloadsIn(v, out);
    return out;
  }
  const o = value as Record<string, unknown>;
  if (o.metadata && typeof o.metadata === 'object' && !Array.isArray(o.metadata) && Object.values(o.metadata).every((m) => m instanceof Uint8Array) && 'data' in o) {
    out.push(o as RawPayload);
    return out;
  }
  // Search attribute values are indexed by the server and cannot be encrypted: checked separately.
  for (const [k, v] of Object.entries(o)) if (k !== 'searchAttributes') payloadsIn(v, out);
  return out;
}

/** The raw history exactly as the server returns it (all pages), plus the raw describe (memo, search attributes). */
export async function fetchRawRecord(client: Pick<Client, 'workflowService'>, namespace: string, workflowId: string): Promise<RawRecord> {
  const chunks: Uint8Array[] = [];
  const events: temporal.api.history.v1.IHistoryEvent[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const res = await client.workflowService.getWorkflowExecutionHistory({ namespace, execution: { workflowId }, nextPageToken });
    chunks.push(temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse.encode(res).finish());
    events.push(...(res.history?.events ?? []));
    nextPageToken = res.nextPageToken && res.nextPageToken.length > 0 ? res.nextPageToken : undefined;
  } while (nextPageToken);
  const described = await client.workflowService.describeWorkflowExecution({ namespace, execution: { workflowId } });
  chunks.push(temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse.encode(described).finish());
  return {
    bytes: Buffer.concat(chunks),
    payloads: payloadsIn(events).concat(payloadsIn(described)),
    events,
    searchAttributes: (described.workflowExecutionInfo?.searchAttributes?.indexedFields ?? {}) as Record<string, RawPayload>,
  };
}

/** Base64 renderings of `s` at each of the three byte alignments (only the characters that depend on `s` alone). */
export function base64Forms(s: string): string[] {
  const bytes = Buffer.from(s, 'utf8');
  const forms: string[] = [];
  for (let pad = 0; pad < 3; pad++) {
    const b64 = Buffer.concat([Buffer.alloc(pad), bytes]).toString('base64');
    const start = pad === 0 ? 0 : 4; // the first quad mixes padding and s
    const end = (pad + bytes.length) % 3 === 0 ? b64.length : b64.length - 4; // the last quad may be partial
    const core = b64.slice(start, end);
    if (core.length >= 8) forms.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return forms;
}

/** Each value found in the bytes in clear text (UTF-8 or Latin-1) or base64-encoded; empty = clean. */
export function leaksIn(bytes: Uint8Array, values: readonly string[]): string[] {
  const buf = Buffer.from(bytes);
  const found: string[] = [];
  for (const v of values) {
    if (buf.includes(Buffer.from(v, 'utf8')) || buf.includes(Buffer.from(v, 'latin1'))) found.push(v);
    for (const b of base64Forms(v)) if (buf.includes(Buffer.from(b, 'ascii'))) found.push(`${v} (base64 ${b})`);
  }
  return [...new Set(found)];
}
