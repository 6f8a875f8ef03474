import type { DocumentMediaType } from '../../../domain/src/cases';

const SIGNATURES: Array<{ type: DocumentMediaType; magic: number[] }> = [
  { type: 'application/pdf', magic: [0x25, 0x50, 0x44, 0x46, 0x2d] }, // %PDF-
  { type: 'image/png', magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: 'image/jpeg', magic: [0xff, 0xd8, 0xff] },
];

/**
 * The media type of the allow-list the bytes really are, judged by their magic bytes; undefined for
 * anything else (an executable renamed .pdf, HTML, an empty file). The client's Content-Type and
 * file name are never trusted.
 */
export function sniffMediaType(bytes: Uint8Array): DocumentMediaType | undefined {
  return SIGNATURES.find(({ magic }) => bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b))?.type;
}

const EXTENSIONS: Record<DocumentMediaType, string[]> = {
  'application/pdf': ['.pdf'],
  'image/png': ['.png'],
  'image/jpeg': ['.jpg', '.jpeg'],
};

/**
 * A file name safe to store and to send back in Content-Disposition: the last path segment, no
 * control characters, at most 255 characters, and an extension that matches the real media type
 * (`scan.exe` holding a PDF becomes `scan.exe.pdf`).
 */
export function safeDocumentName(name: string | undefined, mediaType: DocumentMediaType): string {
  const ext = EXTENSIONS[mediaType];
  // eslint-disable-next-line no-control-regex
  let base = (name ?? '').split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').replace(/\s+/g, ' ').trim();
  if (!base || base === '.' || base === '..') base = 'dokument';
  if (!ext.some((e) => base.toLowerCase().endsWith(e))) base = `${base}${ext[0]}`;
  const chars = [...base];
  if (chars.length > 255) {
    const suffix = ext.find((e) => base.toLowerCase().endsWith(e)) ?? '';
    base = chars.slice(0, 255 - suffix.length).join('') + suffix;
  }
  return base;
}
