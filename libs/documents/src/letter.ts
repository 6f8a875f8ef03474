/**
 * A letter from the office to a citizen (Bescheid, Empfangsbescheinigung, …) as plain data, so a
 * workflow can compose it deterministically and an activity renders it. Text is German as the
 * office writes it; personal data lives only in the (encrypted) workflow payload and the PDF.
 */
export interface LetterParty {
  name: string;
  addressLines: string[];
}

export type LetterBlock =
  | { kind: 'heading'; text: string }
  | { kind: 'paragraph'; text: string }
  /** Label/value pairs, e.g. the figures of a notice. */
  | { kind: 'table'; rows: Array<[string, string]> };

export interface Letter {
  /** The document's kind, e.g. `Wohngeldbescheid`; also the PDF title. */
  title: string;
  /** The issuing office (sender line and letterhead). */
  office: LetterParty;
  recipient: LetterParty;
  /** The case number the citizen quotes (Aktenzeichen). */
  reference: string;
  /** The letter's date, `YYYY-MM-DD` (Berlin). Also the PDF's creation date, so the bytes are reproducible. */
  date: string;
  /** The subject line (Betreff); defaults to the title. */
  subject?: string;
  blocks: LetterBlock[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Rejects letters that would render as nonsense (empty title, no body, impossible date). */
export function assertValidLetter(letter: Letter): void {
  const problems: string[] = [];
  if (!letter.title.trim()) problems.push('title is empty');
  if (!letter.reference.trim()) problems.push('reference is empty');
  if (!DATE.test(letter.date) || Number.isNaN(Date.parse(`${letter.date}T00:00:00Z`))) problems.push(`date "${letter.date}" is not YYYY-MM-DD`);
  if (!letter.recipient.name.trim()) problems.push('recipient name is empty');
  if (letter.blocks.length === 0) problems.push('the letter has no content');
  if (problems.length > 0) throw new Error(`invalid letter: ${problems.join('; ')}`);
}

/** `2026-11-28` → `28.11.2026`, the way German letters write dates. */
export function germanDate(isoDate: string): string {
  const [y, m, d] = isoDate.slice(0, 10).split('-');
  return `${d}.${m}.${y}`;
}
