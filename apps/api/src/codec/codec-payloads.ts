import type { Payload } from '@temporalio/common';
import { z } from 'zod';

/**
 * The Temporal remote codec protocol (what the Web UI and `temporal --codec-endpoint` send to
 * POST /codec/decode and /codec/encode): `{ payloads: [{ metadata: { key: base64 }, data: base64 }] }`,
 * the proto3-JSON form of Payload, where every bytes field (data and each metadata value) is base64.
 * The answer has the same shape.
 */
const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');

export const MAX_CODEC_PAYLOADS = 1000;

export const codecPayloadSchema = z.object({
  metadata: z.record(z.string().max(256), base64).nullish(),
  data: base64.nullish(),
});

export const codecBodySchema = z.object({
  payloads: z.array(codecPayloadSchema).max(MAX_CODEC_PAYLOADS),
});

export type CodecJsonPayload = z.infer<typeof codecPayloadSchema>;
export type CodecBody = z.infer<typeof codecBodySchema>;

const bytes = (b64: string): Uint8Array => Buffer.from(b64, /[-_]/.test(b64) ? 'base64url' : 'base64');

export function fromJsonPayload(p: CodecJsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, bytes(v)])),
    data: bytes(p.data ?? ''),
  };
}

export function toJsonPayload(p: Payload): { metadata: Record<string, string>; data: string } {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')])),
    data: Buffer.from(p.data ?? []).toString('base64'),
  };
}
