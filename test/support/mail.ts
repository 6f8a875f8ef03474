// The SMTP sink of the test run (maildev, started by test/global-setup.ts), read through its REST
// API: GET /email lists every received mail, DELETE /email/all clears the inbox.

/** The fields of a maildev mail that tests use (maildev sends more). */
export interface SinkMail {
  id: string;
  subject?: string;
  messageId?: string;
  from?: { address: string; name?: string }[];
  to?: { address: string; name?: string }[];
  text?: string;
  html?: string;
  headers?: Record<string, unknown>;
  date?: string;
  [key: string]: unknown;
}

function apiUrl(): string {
  const url = process.env.MAIL_API_URL;
  if (!url) throw new Error('MAIL_API_URL is not set: run the tests through jest (test/global-setup.ts starts the mail sink)');
  return url;
}

export async function listMails(): Promise<SinkMail[]> {
  const res = await fetch(`${apiUrl()}/email`);
  if (!res.ok) throw new Error(`GET /email answered ${res.status}`);
  return (await res.json()) as SinkMail[];
}

/**
 * Polls until at least `count` mails match the predicate and returns the matches. On timeout it
 * throws, naming what did arrive, so a failing test says which mail was missing.
 */
export async function waitForMails(
  predicate: (mail: SinkMail) => boolean,
  { count = 1, timeoutMs = 10_000 }: { count?: number; timeoutMs?: number } = {},
): Promise<SinkMail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = await listMails();
    const matches = all.filter(predicate);
    if (matches.length >= count) return matches;
    if (Date.now() > deadline) {
      const seen = all.map((m) => `${m.to?.map((t) => t.address).join(',') ?? '?'}: ${m.subject ?? ''}`).join('\n  ');
      throw new Error(`expected ${count} matching mail(s) within ${timeoutMs} ms, found ${matches.length}; the sink holds ${all.length}:\n  ${seen}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Empties the sink (mails are shared by all test files of the run: prefer unique recipients). */
export async function deleteAllMails(): Promise<void> {
  const res = await fetch(`${apiUrl()}/email/all`, { method: 'DELETE' });
  if (!res.ok) throw new Error(`DELETE /email/all answered ${res.status}`);
}
