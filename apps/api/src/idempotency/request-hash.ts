import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so `{a,b}` and `{b,a}` hash the same. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Buffer.isBuffer(value)) return JSON.stringify({ $bytes: createHash('sha256').update(value).digest('hex') });
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** An uploaded file as it enters the request hash: its content digest, not its bytes. */
export interface FileFingerprint {
  field: string;
  name: string;
  mediaType: string;
  size: number;
  sha256: string;
}

/** SHA-256 of what makes two requests "the same": the query, the body and any uploaded file. */
export function requestHash(parts: { query: unknown; body: unknown; file?: FileFingerprint }): string {
  return sha256Hex(canonicalJson({ query: parts.query ?? {}, body: parts.body ?? null, ...(parts.file && { file: parts.file }) }));
}
