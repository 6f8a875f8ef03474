import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';

// The REAL worker process (`node dist/apps/worker/src/main.js`, what `npm run start:worker` runs)
// as a child of a test: for tests about the process itself — a SIGKILL, a restart — where the
// in-process workers of createWorkers() cannot stand in.

const ROOT = join(__dirname, '..', '..');
export const WORKER_MAIN = join(ROOT, 'dist', 'apps', 'worker', 'src', 'main.js');
/** What the worker process loads from dist/ (scripts/build.js also compiles the API, scripts/ and bench/). */
const WORKER_SOURCE_DIRS = ['apps/worker', 'libs', 'workflows', 'activities'];

/** Sources (not specs, not declarations) whose dist/ counterpart is missing or older. */
function staleSources(): string[] {
  const stale: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(path);
      } else if (entry.name.endsWith('.ts') && !/\.(spec|test|d)\.ts$/.test(entry.name)) {
        const out = join(ROOT, 'dist', relative(ROOT, path).replace(/\.ts$/, '.js'));
        if (!existsSync(out) || statSync(out).mtimeMs < statSync(path).mtimeMs) stale.push(relative(ROOT, path));
      }
    }
  };
  for (const d of WORKER_SOURCE_DIRS) if (existsSync(join(ROOT, d))) walk(join(ROOT, d));
  return stale;
}

/**
 * Makes sure dist/ holds the current sources: runs scripts/build.js (swc, a few seconds) only when
 * a worker source is newer than its compiled file. Returns whether it built.
 */
export async function ensureWorkerBuilt(): Promise<boolean> {
  if (existsSync(WORKER_MAIN) && staleSources().length === 0) return false;
  await promisify(execFile)(process.execPath, [join(ROOT, 'scripts', 'build.js')], { cwd: ROOT, timeout: 120_000 });
  // Not re-checked for staleness: in a shared working tree a file saved during the build is newer
  // again at once; the worker runs what this build compiled.
  if (!existsSync(WORKER_MAIN)) throw new Error(`the build did not produce ${WORKER_MAIN}`);
  return true;
}

export interface WorkerProcess {
  readonly pid: number;
  readonly name: string;
  /** Resolves once the worker logged "amtsweg worker ready"; rejects if it exits first or takes longer than readyTimeoutMs. */
  readonly ready: Promise<void>;
  /** Resolves with the exit code or signal when the process has ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last lines of raw output, for failure messages. */
  tail(lines?: number): string;
  /** Sends the signal (no-op once exited) and waits for the exit. */
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Every worker process started here and not yet exited: killWorkerProcesses() ends them. */
const live = new Set<ChildProcess>();
// Should the test process end without its afterAll (a crash, a jest timeout that exits), take the
// workers along: a stray worker would keep polling the shared Temporal server.
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export interface StartWorkerOptions {
  /** The worker's whole environment (not merged with the test's): TEMPORAL_ADDRESS, DATABASE_URL, ... */
  env: Record<string, string>;
  name?: string;
  readyTimeoutMs?: number;
}

export function startWorkerProcess(opts: StartWorkerOptions): WorkerProcess {
  const name = opts.name ?? 'worker';
  const child = spawn(process.execPath, [WORKER_MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LOG_FORMAT: 'json', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not spawn the ${name} process`);
  live.add(child);
  const pid = child.pid;

  const raw: string[] = [];
  let onReady: (() => void) | undefined;
  const consume = (stream: NodeJS.ReadableStream) => {
    let buffered = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        raw.push(line);
        if (raw.length > 400) raw.shift();
        if (!line.startsWith('{')) continue;
        try {
          // the worker logs JSON lines (LOG_FORMAT=json)
          if ((JSON.parse(line) as { msg?: unknown }).msg === 'amtsweg worker ready') onReady?.();
        } catch {
          // not a JSON log line (a stack trace on stderr)
        }
      }
    });
  };
  consume(child.stdout!);
  consume(child.stderr!);

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });
  const tail = (lines = 40) => raw.slice(-lines).join('\n');

  const readyTimeoutMs = opts.readyTimeoutMs ?? 60_000;
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} (pid ${pid}) not ready after ${readyTimeoutMs} ms; output:\n${tail()}`)), readyTimeoutMs);
    onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${name} (pid ${pid}) exited (code ${code}, signal ${signal}) before it was ready; output:\n${tail()}`));
    });
  });
  ready.catch(() => undefined); // observed by whoever awaits it

  return {
    pid,
    name,
    ready,
    exited,
    tail,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** SIGKILLs every worker process started by startWorkerProcess that is still running (afterAll). */
export async function killWorkerProcesses(): Promise<void> {
  const children = [...live];
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGKILL');
        }),
    ),
  );
}
