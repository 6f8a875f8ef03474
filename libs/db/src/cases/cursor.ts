import { isUuid } from './tx';

/** Position in a keyset-paginated list: the last row's updated_at (microseconds, UTC) and id. */
export interface ListCursor {
  /** `2026-03-01T10:00:00.123456Z`, exactly as PostgreSQL stores it (JS Dates would lose the µs). */
  updatedAt: string;
  id: string;
}

const TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Opaque to clients: base64url of a small JSON array. */
export function encodeCursor(c: ListCursor): string {
  return Buffer.from(JSON.stringify([c.updatedAt, c.id]), 'utf8').toString('base64url');
}

/** The cursor, or undefined when the string is not one of ours (the API answers 400). */
export function decodeCursor(s: string): ListCursor | undefined {
  if (s.length > 200 || !/^[A-Za-z0-9_-]+$/.test(s)) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (!Array.isArray(v) || v.length !== 2) return undefined;
    const [updatedAt, id] = v as unknown[];
    if (typeof updatedAt !== 'string' || !TS.test(updatedAt) || Number.isNaN(Date.parse(updatedAt)) || !isUuid(id)) return undefined;
    return { updatedAt, id };
  } catch {
    return undefined;
  }
}
