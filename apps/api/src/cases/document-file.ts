import { StreamableFile } from '@nestjs/common';
import type { Response } from 'express';
import type { StoredDocument } from '../../../../libs/db/src/cases';

/** RFC 6266 / 8187: an ASCII fallback plus the exact UTF-8 name. */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/**
 * A stored document as a download. Uploads come from citizens: never let a browser sniff or render
 * them in our origin (nosniff, a sandboxing CSP, attachment), and never cache personal data.
 */
export function documentDownload(res: Response, doc: StoredDocument): StreamableFile {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'private, no-store');
  res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  return new StreamableFile(doc.bytes, { type: doc.mediaType, disposition: contentDisposition(doc.name), length: doc.size });
}
