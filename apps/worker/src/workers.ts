import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import type { WorkerOptions } from '@temporalio/worker';
import type { DataConverter, Duration } from '@temporalio/common';
import type { Logger } from 'pino';
import { createActivities } from '../../../activities';
import type { ActivityDeps } from '../../../activities';
import { TASK_QUEUES } from '../../../libs/domain/src/task-queues';
import { createDataConverter } from '../../../libs/temporal/src/data-converter';
import { PinoTemporalLogger } from '../../../libs/temporal/src/worker-runtime';

/**
 * The workflow sources: workflows/index.ts under ts (jest) and dist/workflows/index.js at runtime.
 * Resolved, not imported: workflow code runs only inside the worker's sandbox, from a bundle.
 */
export const WORKFLOWS_PATH = require.resolve('../../../workflows');

export interface CreateWorkersOptions {
  connection: NativeConnection;
  namespace: string;
  /** Defaults to every queue of TASK_QUEUES, one Worker each. Tests pass a unique queue of their own. */
  taskQueues?: readonly string[];
  /** Defaults to createDataConverter(); must match the clients'. */
  dataConverter?: DataConverter;
  /** Pre-built bundle (tests building several worker sets reuse one). Defaults to bundling WORKFLOWS_PATH once. */
  workflowBundle?: { code: string };
  /** After shutdown() running activities get this long to finish before they are cancelled. */
  shutdownGraceTime?: Duration;
  /** For the webpack bundler's messages and SDK messages of workers created here. */
  logger?: Logger;
  identity?: string;
  /** Passed through to every Worker (tracing, tests injecting faults). */
  interceptors?: WorkerOptions['interceptors'];
}

/**
 * Bundles the workflow code once (webpack; a few seconds) for all task queues. The failure and
 * payload converters, when configured by path, must be inside the bundle as well.
 */
export async function bundleWorkflows(dataConverter: DataConverter, logger?: Logger): Promise<{ code: string }> {
  const started = Date.now();
  const bundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    failureConverterPath: dataConverter.failureConverterPath,
    payloadConverterPath: dataConverter.payloadConverterPath,
    // webpack's statistics are noise unless someone is debugging the bundle
    logger: logger ? new PinoTemporalLogger(logger.child({ component: 'bundler' }, { level: logger.isLevelEnabled('debug') ? 'debug' : 'warn' })) : undefined,
  });
  logger?.info({ ms: Date.now() - started, bytes: bundle.code.length }, 'workflow bundle built');
  return { code: bundle.code };
}

/**
 * One Temporal Worker per task queue (TASK_QUEUES: one per process kind, so they scale apart), all
 * with the same workflow bundle and the activities of createActivities(deps). The workers are
 * created, not started: run them with startWorkers(). A plain function so tests run exactly the
 * production wiring in-process against the shared test server.
 */
export async function createWorkers(deps: ActivityDeps, options: CreateWorkersOptions): Promise<Worker[]> {
  const dataConverter = options.dataConverter ?? createDataConverter();
  const taskQueues = options.taskQueues ?? Object.values(TASK_QUEUES);
  if (taskQueues.length === 0) throw new Error('createWorkers: no task queues');
  const workflowBundle = options.workflowBundle ?? (await bundleWorkflows(dataConverter, options.logger));
  const activities = createActivities(deps);

  const workers: Worker[] = [];
  try {
    for (const taskQueue of taskQueues) {
      workers.push(
        await Worker.create({
          connection: options.connection,
          namespace: options.namespace,
          taskQueue,
          workflowBundle,
          activities,
          dataConverter,
          shutdownGraceTime: options.shutdownGraceTime ?? '20 seconds',
          // the native bridge refuses explicit undefined for these
          ...(options.identity ? { identity: options.identity } : {}),
          ...(options.interceptors ? { interceptors: options.interceptors } : {}),
        }),
      );
    }
  } catch (e) {
    // Worker.create registers with the Runtime; do not leave half a set behind.
    await Promise.allSettled(workers.map((w) => runAndShutdown(w)));
    throw e;
  }
  return workers;
}

async function runAndShutdown(w: Worker): Promise<void> {
  const running = w.run();
  w.shutdown();
  await running;
}

export interface RunningWorkers {
  /** Resolves when every worker has stopped (after stop(), or rejects when one failed fatally). */
  readonly done: Promise<void>;
  /**
   * Graceful drain: stop polling, let running activities finish within shutdownGraceTime, wait for
   * every run() to resolve. Safe to call more than once.
   */
  stop(): Promise<void>;
}

/**
 * Runs the workers. If one of them fails fatally (e.g. the namespace vanished), the others are shut
 * down as well and `done` rejects with that error: a half-working worker process is worse than a
 * restarted one.
 */
export function startWorkers(workers: Worker[], logger?: Logger): RunningWorkers {
  let stopping = false;
  const shutdownAll = () => {
    for (const w of workers) {
      if (w.getState() === 'RUNNING') w.shutdown();
    }
  };
  const runs = workers.map((w) =>
    w.run().catch((e: unknown) => {
      if (!stopping) {
        logger?.error({ err: e, taskQueue: w.options.taskQueue }, 'worker failed; shutting the others down');
        stopping = true;
        shutdownAll();
      }
      throw e;
    }),
  );
  const done = Promise.allSettled(runs).then((results) => {
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  });
  // `done` is awaited by whoever owns the workers; keep an unobserved rejection from crashing the process meanwhile.
  done.catch(() => undefined);
  return {
    done,
    async stop() {
      stopping = true;
      shutdownAll();
      await done.catch(() => undefined);
    },
  };
}

export interface ConnectRetryOptions {
  address: string;
  /** Give up after this long (ms). Default 60 s: Temporal may start a little after the worker. */
  timeoutMs?: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  logger?: Logger;
  /** Stop waiting early (shutdown requested during boot). */
  signal?: AbortSignal;
}

/** NativeConnection.connect with capped exponential backoff while the server is not (yet) reachable. */
export async function connectWithRetry(opts: ConnectRetryOptions): Promise<NativeConnection> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let delay = opts.initialDelayMs ?? 250;
  const maxDelay = opts.maxDelayMs ?? 5_000;
  for (let attempt = 1; ; attempt++) {
    try {
      const connection = await NativeConnection.connect({ address: opts.address });
      if (attempt > 1) opts.logger?.info({ address: opts.address, attempt }, 'connected to Temporal');
      return connection;
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      if (opts.signal?.aborted) throw new Error('connecting to Temporal aborted', { cause: e });
      if (Date.now() + delay > deadline) {
        throw new Error(`Temporal at ${opts.address} not reachable after ${attempt} attempts: ${reason}`, { cause: e });
      }
      opts.logger?.warn({ address: opts.address, attempt, retryInMs: delay, reason }, 'Temporal not reachable yet; retrying');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        opts.signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
      });
      delay = Math.min(delay * 2, maxDelay);
    }
  }
}
