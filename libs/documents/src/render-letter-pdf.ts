import PDFDocument from 'pdfkit';
import { assertValidLetter, germanDate } from './letter';
import type { Letter, LetterBlock } from './letter';

// DIN 5008 form B in points (1 mm = 2.8346 pt): address window at 20 mm from the left, 45 mm from
// the top; text from 25 mm left to 20 mm right. Standard PDF fonts (Helvetica, WinAnsi encoding)
// cover German umlauts, ß, § and €, so no font files are needed.
const MM = 72 / 25.4;
const LEFT = 25 * MM;
const RIGHT_MARGIN = 20 * MM;
const WINDOW_TOP = 45 * MM;
const INFO_LEFT = 125 * MM;
const FONT = 'Helvetica';
const BOLD = 'Helvetica-Bold';

function renderBlock(doc: PDFKit.PDFDocument, block: LetterBlock, width: number): void {
  switch (block.kind) {
    case 'heading':
      doc.moveDown(0.6).font(BOLD).fontSize(11).text(block.text, LEFT, undefined, { width });
      doc.moveDown(0.2);
      return;
    case 'paragraph':
      doc.font(FONT).fontSize(10).text(block.text, LEFT, undefined, { width, align: 'left' });
      doc.moveDown(0.5);
      return;
    case 'table': {
      const labelWidth = width * 0.62;
      for (const [label, value] of block.rows) {
        if (doc.y > doc.page.height - 40 * MM) doc.addPage();
        const y = doc.y;
        doc.font(FONT).fontSize(10).text(label, LEFT, y, { width: labelWidth - 6 });
        const afterLabel = doc.y;
        doc.font(BOLD).text(value, LEFT + labelWidth, y, { width: width - labelWidth, align: 'right' });
        doc.y = Math.max(afterLabel, doc.y) + 2;
      }
      doc.moveDown(0.5);
      return;
    }
  }
}

/**
 * Renders a letter as an A4 PDF. Deterministic: the same letter gives the same bytes (creation
 * date = the letter's date, no random ids), so a retried activity stores an identical document.
 */
export async function renderLetterPdf(letter: Letter): Promise<Buffer> {
  assertValidLetter(letter);
  const created = new Date(`${letter.date}T00:00:00Z`);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 20 * MM, bottom: 25 * MM, left: LEFT, right: RIGHT_MARGIN },
    bufferPages: true,
    lang: 'de-DE',
    info: { Title: `${letter.title} ${letter.reference}`, Author: letter.office.name, Creator: 'amtsweg', Producer: 'amtsweg', CreationDate: created, ModDate: created },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const width = doc.page.width - LEFT - RIGHT_MARGIN;

  // Letterhead and the info block on the right.
  doc.font(BOLD).fontSize(13).text(letter.office.name, LEFT, 20 * MM, { width: INFO_LEFT - LEFT - 10 });
  doc.font(FONT).fontSize(9).text(letter.office.addressLines.join('\n'), { width: INFO_LEFT - LEFT - 10 });
  doc.font(FONT).fontSize(9).text(`Aktenzeichen: ${letter.reference}\nDatum: ${germanDate(letter.date)}`, INFO_LEFT, WINDOW_TOP + 5 * MM, { width: doc.page.width - INFO_LEFT - RIGHT_MARGIN });

  // Address window: return line, then the recipient.
  doc.font(FONT).fontSize(7).text([letter.office.name, ...letter.office.addressLines].join(' · '), 20 * MM, WINDOW_TOP, { width: 85 * MM, lineBreak: false, ellipsis: true });
  doc.font(FONT).fontSize(10).text([letter.recipient.name, ...letter.recipient.addressLines].join('\n'), 20 * MM, WINDOW_TOP + 5 * MM, { width: 85 * MM });

  doc.font(BOLD).fontSize(12).text(letter.subject ?? letter.title, LEFT, 98 * MM, { width });
  doc.font(FONT).fontSize(9).text(`Aktenzeichen ${letter.reference}`, { width });
  doc.moveDown(1);
  for (const block of letter.blocks) renderBlock(doc, block, width);

  // Page numbers, once all pages exist.
  const range = doc.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0; // writing into the margin must not open a new page
    doc.font(FONT).fontSize(8).text(`${letter.title} · ${letter.reference} · Seite ${i + 1} von ${range.count}`, LEFT, doc.page.height - 15 * MM, { width, align: 'center', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return await done;
}
