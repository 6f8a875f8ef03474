// How every bench ends: its results as JSON in bench/results/<name>-<time>.json, and the process's
// exit code — written once so the result files and the failure output look the same.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes `{ at, command, ...results }` to bench/results/<name>-<time>.json; returns the file. */
export function writeBenchResults(root: string, name: string, results: object): string {
  const outDir = join(root, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), command: `npm run bench:${name}`, ...results }, null, 2)}\n`);
  return file;
}

/** Runs the bench's main and exits 0, or prints the error and exits 1. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
