import { execFile } from 'node:child_process';

// pdfjs (inside pdf-parse) loads its worker with a dynamic import(), which jest's module sandbox
// refuses; so the text is extracted in a plain Node child process.
const SCRIPT = `
const { PDFParse } = require('pdf-parse');
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', async () => {
  const parser = new PDFParse({ data: new Uint8Array(Buffer.concat(chunks)) });
  try { process.stdout.write((await parser.getText()).text); } finally { await parser.destroy(); }
});`;

/** The text of a PDF, page by page (pdf-parse adds `-- n of m --` separators). */
export function pdfText(pdf: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, ['-e', SCRIPT], { cwd: __dirname, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`pdf text extraction failed: ${err.message} ${stderr}`));
      else resolve(stdout);
    });
    child.stdin!.end(pdf);
  });
}
