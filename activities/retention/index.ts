import { heartbeat, log } from '@temporalio/activity';
import { eraseCase, findCasesDueForErasure } from '../../libs/db/src/cases';
import type { ActivityDeps } from '../deps';

export interface EraseExpiredCasesInput {
  /** Cases per activity call: small enough that one call stays well under its timeout. */
  batchSize: number;
}

export interface EraseExpiredCasesResult {
  erased: number;
  /** Found due but changed under our feet (reopened, work opened): left for a later sweep. */
  skipped: number;
  /** True when the batch was full: call again. */
  more: boolean;
}

/** The retention sweep's work (DESIGN.md "Case file"; libs/db/src/cases/erasure.ts says what is erased). */
export function createRetentionActivities(deps: ActivityDeps) {
  return {
    async eraseExpiredCases(input: EraseExpiredCasesInput): Promise<EraseExpiredCasesResult> {
      const now = new Date();
      const due = await findCasesDueForErasure(deps.pool, now, input.batchSize);
      let erased = 0;
      let skipped = 0;
      for (const caseId of due) {
        const r = await eraseCase(deps.pool, caseId, 'system:retention', now);
        if (r.erased) erased++;
        else skipped++;
        heartbeat({ done: erased + skipped });
      }
      if (due.length > 0) log.info('retention sweep batch', { erased, skipped });
      // Skipped cases drop out of the next query (work open) or stay ineligible; only a batch that
      // erased something can be followed by more due cases.
      return { erased, skipped, more: due.length === input.batchSize && erased > 0 };
    },
  };
}

export type RetentionActivities = ReturnType<typeof createRetentionActivities>;
