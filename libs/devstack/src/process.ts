import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface StartProcessOptions {
  /** Short name used in messages and console prefixes ("temporal", "api"). */
  name: string;
  command: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Everything the process prints is appended here. */
  logFile: string;
  /** Called with each line of output as well (e.g. to echo it on the console). */
  onLine?: (line: string) => void;
  uid?: number;
  gid?: number;
  /** Signal that asks the process to stop gracefully; SIGTERM unless the program wants another. */
  stopSignal?: NodeJS.Signals;
  /** How long stop() waits after stopSignal before SIGKILL. */
  stopTimeoutMs?: number;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Settles when the process has exited, however that happened. */
  readonly exited: Promise<ExitInfo>;
  isRunning(): boolean;
  /** The last lines of output, for error messages. */
  tail(lines?: number): string;
  /** stopSignal to the process group, SIGKILL after stopTimeoutMs; resolves once it is gone. */
  stop(): Promise<ExitInfo>;
}

// eslint-disable-next-line no-control-regex -- matching the ESC that starts a colour code is the point
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;
export const stripAnsi = (s: string): string => s.replace(ANSI, '');

// Processes still running when this Node process exits (even by an uncaught error) are killed, so
// a crashed orchestrator or test run leaves no server behind holding a port or a data directory.
const running = new Set<ManagedProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const p of running) {
      try {
        process.kill(-p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/**
 * Spawns a long-running child in its own process group (detached), so a Ctrl-C in the terminal
 * reaches only the orchestrator, which then stops the children in its own order, and stop() can
 * signal the whole group (a wrapper script's children included).
 */
export function startProcess(opts: StartProcessOptions): ManagedProcess {
  mkdirSync(dirname(opts.logFile), { recursive: true });
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  log.write(`\n--- ${new Date().toISOString()} ${opts.command} ${(opts.args ?? []).join(' ')}\n`);

  const child = spawn(opts.command, opts.args ?? [], {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    uid: opts.uid,
    gid: opts.gid,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const recent: string[] = [];
  const relay = (stream: NodeJS.ReadableStream) => {
    let partial = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) emit(line);
    });
    stream.on('end', () => {
      if (partial) emit(partial);
      partial = '';
    });
  };
  const emit = (line: string) => {
    // Log files stay plain text for grep and less, whatever colours a program prints.
    const plain = stripAnsi(line);
    // A wrapper's grandchild can still print after the child exited and the log was closed.
    if (!log.writableEnded) log.write(`${plain}\n`);
    recent.push(plain);
    if (recent.length > 200) recent.shift();
    opts.onLine?.(line);
  };
  relay(child.stdout!);
  relay(child.stderr!);

  let exitInfo: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('error', (err) => {
      emit(`failed to start ${opts.command}: ${err.message}`);
      exitInfo = { code: -1, signal: null };
      resolve(exitInfo);
    });
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
  }).then((info) => {
    running.delete(handle);
    log.end(`--- exited ${info.signal ?? `code ${info.code}`} at ${new Date().toISOString()}\n`);
    return info;
  });

  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      try {
        child.kill(sig);
      } catch {
        // already gone
      }
    }
  };

  let stopping: Promise<ExitInfo> | undefined;
  const handle: ManagedProcess = {
    name: opts.name,
    pid: child.pid ?? -1,
    logFile: opts.logFile,
    exited,
    isRunning: () => exitInfo === undefined,
    tail: (n = 30) => recent.slice(-n).join('\n'),
    stop: () => {
      if (exitInfo) return Promise.resolve(exitInfo);
      stopping ??= (async () => {
        signalGroup(opts.stopSignal ?? 'SIGTERM');
        const timeout = opts.stopTimeoutMs ?? 10_000;
        let timer: NodeJS.Timeout | undefined;
        const killed = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeout)));
        const first = await Promise.race([exited, killed]);
        clearTimeout(timer);
        if (first === 'timeout') {
          emit(`${opts.name} did not stop within ${timeout} ms; sending SIGKILL`);
          signalGroup('SIGKILL');
        }
        return exited;
      })();
      return stopping;
    },
  };
  if (child.pid !== undefined) {
    installExitHook();
    running.add(handle);
  }
  return handle;
}

export interface WaitOptions {
  /** What we wait for, for the error message ("PostgreSQL to accept connections"). */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  /** Fail at once, with its last output, when this process exits while we wait. */
  process?: ManagedProcess;
}

/** Polls `check` until it returns true; throws on timeout or when the watched process dies. */
export async function waitUntil(check: () => Promise<boolean>, opts: WaitOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (opts.process && !opts.process.isRunning()) {
      throw new Error(`${opts.process.name} exited while waiting for ${opts.what}. Last output (${opts.process.logFile}):\n${opts.process.tail()}`);
    }
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) {
      const tail = opts.process ? `\nLast output (${opts.process.logFile}):\n${opts.process.tail()}` : '';
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what}${tail}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 200));
  }
}
