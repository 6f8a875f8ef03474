/**
 * Runs one autocannon measurement in a worker thread (its own event loop, so the load generator
 * does not steal the API's), rotating through the given requests: each request of the run takes
 * the next (path, Authorization) pair, so many different citizens hit many different cases.
 */
import { parentPort, workerData } from 'node:worker_threads';

export interface LoadTarget {
  path: string;
  authorization?: string;
}

export interface LoadJob {
  url: string;
  title: string;
  connections: number;
  durationSeconds: number;
  targets: LoadTarget[];
}

/** The parts of autocannon's result this bench reads. */
export interface LoadResult {
  title: string;
  requests: { average: number; total: number; mean: number };
  latency: { p50: number; p97_5: number; p99: number; average: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
  '2xx': number;
}

interface RawRequest {
  path?: string;
  headers?: Record<string, string>;
  [k: string]: unknown;
}
type Autocannon = ((opts: Record<string, unknown>) => Promise<unknown>) & {
  aggregateResult(results: unknown[], opts: Record<string, unknown>): LoadResult;
};
// autocannon ships CommonJS without types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as Autocannon;

async function run(job: LoadJob): Promise<LoadResult> {
  let next = 0;
  const targets = job.targets;
  const opts = { url: job.url, title: job.title, connections: job.connections };
  // Off the main thread autocannon returns raw histograms; aggregate them into percentiles here.
  const raw = await autocannon({
    ...opts,
    duration: job.durationSeconds,
    timeout: 10,
    skipAggregateResult: true,
    requests: [
      {
        method: 'GET',
        setupRequest: (req: RawRequest): RawRequest => {
          const t = targets[next++ % targets.length]!;
          return { ...req, path: t.path, headers: { ...(req.headers ?? {}), ...(t.authorization && { authorization: t.authorization }) } };
        },
      },
    ],
  });
  const result = autocannon.aggregateResult([raw], opts);
  // The per-second histogram lives in the worker's own tracker; the mean over the run is what we report.
  result.requests.average = result.duration > 0 ? result.requests.total / result.duration : 0;
  return result;
}

if (parentPort) {
  const port = parentPort;
  run(workerData as LoadJob).then(
    // Tagged: autocannon itself posts messages to the parent port when it runs in a worker thread.
    (result) => port.postMessage({ benchResult: JSON.parse(JSON.stringify(result)) as LoadResult }),
    (e: unknown) => port.postMessage({ benchError: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
  );
}
