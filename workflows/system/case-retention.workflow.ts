import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { BATCHES_PER_RUN } from './case-retention.contract';
import type { CaseRetentionInput, CaseRetentionResult } from './case-retention.contract';

const { eraseExpiredCases } = proxyActivities<Pick<Activities, 'eraseExpiredCases'>>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '30 seconds', maximumInterval: '10 minutes', maximumAttempts: 20 },
});

/** Erases due cases batch by batch until none is left (see case-retention.contract.ts). */
export async function caseRetentionSweep(input: CaseRetentionInput): Promise<CaseRetentionResult> {
  const total: CaseRetentionResult = { erased: input.erasedBefore ?? 0, skipped: 0, batches: 0 };
  for (;;) {
    const batch = await eraseExpiredCases({ batchSize: input.batchSize });
    total.erased += batch.erased;
    total.skipped += batch.skipped;
    total.batches++;
    if (!batch.more) return total;
    if (total.batches >= BATCHES_PER_RUN) {
      await continueAsNew<typeof caseRetentionSweep>({ batchSize: input.batchSize, erasedBefore: total.erased });
    }
  }
}
