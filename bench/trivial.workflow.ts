/**
 * The bare Temporal ceiling of bench:appointments: one workflow, one activity, nothing else.
 * Bundled on its own (bench/appointments.bench.ts) for a bench-only worker on its own task queue;
 * never part of the product's workflow bundle.
 */
import { proxyActivities } from '@temporalio/workflow';

export interface BenchActivities {
  benchEcho(n: number): Promise<number>;
}

const { benchEcho } = proxyActivities<BenchActivities>({ startToCloseTimeout: '10 seconds' });

export async function benchTrivial(n: number): Promise<number> {
  return benchEcho(n);
}
