export type { Letter, LetterBlock, LetterParty } from './letter';
export { assertValidLetter, germanDate } from './letter';
export { renderLetterPdf } from './render-letter-pdf';
