/**
 * A letter from the office to a citizen (Bescheid, Empfangsbescheinigung, …) as plain data, so a
 * workflow can compose it deterministically (workflows import only libs/domain) and an activity
 * renders it (libs/documents, renderLetterPdf). Text is German as the
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
