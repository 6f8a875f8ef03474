import { mkdirSync } from 'node:fs';
import { canConnect } from './ports';
import { startProcess, waitUntil } from './process';
import type { ManagedProcess } from './process';

export interface MailSinkOptions {
  smtpPort: number;
  webPort: number;
  ip?: string;
  /** Where received mails are kept (maildev reloads them on the next start). */
  mailDir: string;
  logFile: string;
  onLine?: (line: string) => void;
  startTimeoutMs?: number;
}

export interface MailSink {
  /** smtp://127.0.0.1:<port>, the value for SMTP_URL. */
  smtpUrl: string;
  /** http://localhost:<port>: the web UI; GET /email lists mails as JSON, DELETE /email/all clears. */
  webUrl: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * Runs maildev (SMTP in, web UI and REST API out) as a child process rather than in-process:
 * maildev keeps its server in module-level state (one per process) and installs SIGINT/SIGTERM
 * handlers that call process.exit(), which would cut short the orchestrator's ordered shutdown.
 */
export async function startMailSink(opts: MailSinkOptions): Promise<MailSink> {
  const ip = opts.ip ?? '127.0.0.1';
  mkdirSync(opts.mailDir, { recursive: true });
  const proc = startProcess({
    name: 'mail',
    command: process.execPath,
    args: [
      require.resolve('maildev/bin/maildev'),
      '--smtp', String(opts.smtpPort),
      '--web', String(opts.webPort),
      '--ip', ip,
      '--mail-directory', opts.mailDir,
    ],
    logFile: opts.logFile,
    onLine: opts.onLine,
    stopTimeoutMs: 5_000,
  });
  const webUrl = `http://${ip === '127.0.0.1' ? 'localhost' : ip}:${opts.webPort}`;
  try {
    const timeoutMs = opts.startTimeoutMs ?? 30_000;
    await waitUntil(() => canConnect(opts.smtpPort, ip), { what: `maildev SMTP on port ${opts.smtpPort}`, timeoutMs, process: proc });
    await waitUntil(async () => (await fetch(`http://${ip}:${opts.webPort}/email`)).ok, { what: `maildev's web API on port ${opts.webPort}`, timeoutMs, process: proc });
  } catch (e) {
    await proc.stop();
    throw e;
  }
  return {
    smtpUrl: `smtp://${ip}:${opts.smtpPort}`,
    webUrl,
    process: proc,
    stop: async () => {
      await proc.stop();
    },
  };
}
