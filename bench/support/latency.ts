// Load loops and latency statistics the benches share, so every bench measures and reports the
// same way (a p95 in one bench means what it means in the other).

export const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The p-th percentile (nearest rank) of the values; NaN for none. */
export function pct(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export interface Sample {
  /** HTTP 201, or 'ok' from a call that is not HTTP. */
  ok: boolean;
  status: number | string;
  ms: number;
  /** The case a submission opened, to check afterwards that it exists. */
  caseId?: string;
}

/** A call's answer: its status, or its status and the case it opened. */
export type CallResult = number | string | { status: number | string; caseId?: string };
export type BenchCall = (i: number) => Promise<CallResult>;

async function timed(call: BenchCall, i: number): Promise<Sample> {
  const t = performance.now();
  const r = await call(i).catch((e: unknown): CallResult => (e instanceof Error ? e.message.slice(0, 80) : String(e)));
  const { status, caseId } = typeof r === 'object' ? r : { status: r, caseId: undefined };
  return { ok: status === 201 || status === 'ok', status, ms: performance.now() - t, ...(caseId !== undefined && { caseId }) };
}

/** Closed loop: `concurrency` calls in flight for `seconds`; each call takes the next index. */
export async function closedLoop(seconds: number, concurrency: number, call: BenchCall, next: { i: number }): Promise<{ samples: Sample[]; seconds: number }> {
  const samples: Sample[] = [];
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) samples.push(await timed(call, next.i++));
    }),
  );
  return { samples, seconds: (performance.now() - started) / 1000 };
}

/** Open loop: one call every 1000/rate ms for `seconds` (at most `maxInFlight` outstanding). */
export async function openLoop(seconds: number, rate: number, call: BenchCall, next: { i: number }, maxInFlight = 1000): Promise<{ samples: Sample[]; seconds: number; skipped: number }> {
  const samples: Sample[] = [];
  const pending = new Set<Promise<void>>();
  const started = performance.now();
  const total = Math.round(seconds * rate);
  let skipped = 0;
  for (let k = 0; k < total; k++) {
    const due = started + (k * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    if (pending.size >= maxInFlight) {
      skipped++;
      continue;
    }
    const p = timed(call, next.i++)
      .then((s) => void samples.push(s))
      .finally(() => pending.delete(p));
    pending.add(p);
  }
  await Promise.all(pending);
  return { samples, seconds: (performance.now() - started) / 1000, skipped };
}

/** Throughput of the successful calls, the statuses seen, and their latency percentiles (ms). */
export function summarise(r: { samples: Sample[]; seconds: number }) {
  const ok = r.samples.filter((s) => s.ok);
  const statuses: Record<string, number> = {};
  for (const s of r.samples) statuses[String(s.status)] = (statuses[String(s.status)] ?? 0) + 1;
  return {
    okPerSec: round(ok.length / r.seconds),
    ok: ok.length,
    total: r.samples.length,
    statuses,
    p50: round(pct(ok.map((s) => s.ms), 50)),
    p95: round(pct(ok.map((s) => s.ms), 95)),
    p99: round(pct(ok.map((s) => s.ms), 99)),
    max: round(pct(ok.map((s) => s.ms), 100)),
    seconds: round(r.seconds, 2),
  };
}
