import type { Letter } from '../../domain/src/letter';

export type { Letter, LetterBlock, LetterParty } from '../../domain/src/letter';

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
