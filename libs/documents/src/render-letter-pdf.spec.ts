import { createHash } from 'node:crypto';
import { pdfText as textOf } from '../../../test/support/pdf-text';
import { renderLetterPdf } from './render-letter-pdf';
import type { Letter } from './letter';

const letter: Letter = {
  title: 'Wohngeldbescheid',
  office: { name: 'Bezirksamt Mitte von Berlin – Wohngeldstelle', addressLines: ['Müllerstraße 146', '13353 Berlin'] },
  recipient: { name: 'Jürgen Weiß', addressLines: ['Straße des 17. Juni 1', '10623 Berlin'] },
  reference: 'WG-2026-000042',
  date: '2026-11-28',
  blocks: [
    { kind: 'paragraph', text: 'Sehr geehrter Herr Weiß,\nauf Ihren Antrag bewillige ich Ihnen Wohngeld nach § 1 WoGG.' },
    { kind: 'table', rows: [['Monatliches Wohngeld', '312,00 €'], ['Bewilligungszeitraum', '01.11.2026 – 31.10.2027']] },
    { kind: 'heading', text: 'Rechtsbehelfsbelehrung' },
    { kind: 'paragraph', text: 'Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben werden.' },
  ],
};

describe('renderLetterPdf', () => {
  it('renders a PDF whose text carries the letter with umlauts, § and €', async () => {
    const pdf = await renderLetterPdf(letter);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = await textOf(pdf);
    for (const expected of ['Wohngeldbescheid', 'WG-2026-000042', '28.11.2026', 'Jürgen Weiß', '§ 1 WoGG', '312,00 €', 'Rechtsbehelfsbelehrung', 'Seite 1 von 1', 'Müllerstraße 146']) {
      expect(text).toContain(expected);
    }
  });

  it('gives the same bytes for the same letter (a retried activity stores an identical document)', async () => {
    const sha = async () => createHash('sha256').update(await renderLetterPdf(letter)).digest('hex');
    expect(await sha()).toBe(await sha());
  });

  it('breaks long letters over pages and numbers them', async () => {
    const long: Letter = { ...letter, blocks: Array.from({ length: 60 }, (_, i) => ({ kind: 'paragraph' as const, text: `Absatz ${i + 1}: ${'Text '.repeat(40)}` })) };
    const text = await textOf(await renderLetterPdf(long));
    expect(text).toMatch(/Seite 1 von [3-9]/);
  });

  it('rejects a letter without content or with an impossible date', async () => {
    await expect(renderLetterPdf({ ...letter, blocks: [] })).rejects.toThrow('no content');
    await expect(renderLetterPdf({ ...letter, date: '28.11.2026' })).rejects.toThrow('YYYY-MM-DD');
  });
});
