// The readable console stream of `npm start`: every process's lines, prefixed with its name (in
// colour on a terminal), while the full output of each goes to its own file under DATA_DIR/logs.
import { stripAnsi } from './process';

const COLOURS: Record<string, number> = { api: 36, worker: 35, temporal: 33, postgres: 34, mail: 32, start: 1 };
const WIDTH = 9;

export function useColour(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR;
}

/** `name    | line`, padded so the lines of all processes align. */
export function prefixed(name: string, line: string, colour = useColour()): string {
  const label = name.padEnd(WIDTH);
  const code = COLOURS[name];
  return colour && code ? `\x1b[${code}m${label}|\x1b[0m ${line}` : `${label}| ${line}`;
}

/** A line printer for one process; `filter` keeps the console quiet for chatty servers. */
export function consoleLines(name: string, filter: (line: string) => boolean = () => true): (line: string) => void {
  const colour = useColour();
  return (line) => {
    if (line.trim() && filter(line)) process.stdout.write(`${prefixed(name, colour ? line : stripAnsi(line), colour)}\n`);
  };
}

// What a healthy server says while it starts or stops (our readiness probe connects early).
const EXPECTED = /the database system is (starting up|not yet accepting connections|shutting down)|Consistent recovery state/;

/**
 * Only what needs attention: error, fatal and panic lines of an infrastructure server. A line with
 * a level field (Temporal's `level=WARN ... error="dial tcp ..."`) counts by its level alone.
 */
export const problemsOnly = (line: string): boolean => {
  const level = /\blevel=(\w+)/i.exec(line)?.[1];
  if (level) return /^(error|fatal|panic|dpanic)$/i.test(level);
  return /\b(error|fatal|panic)\b/i.test(line) && !EXPECTED.test(line);
};
