import { randomBytes } from 'node:crypto';
import type { Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { msToTs } from '@temporalio/common/lib/time';
import { SEARCH_ATTRIBUTES } from '../../libs/temporal/src/search-attributes';

/**
 * A Temporal namespace of one test file's own on the run's shared dev server, with the amtsweg
 * search attributes (like the namespace test/global-setup.ts prepares). For tests that run the
 * worker process unchanged: it polls every production task queue (TASK_QUEUES), so a separate
 * namespace — TEMPORAL_NAMESPACE, which the worker already reads — keeps it from taking other test
 * files' tasks and theirs from taking its own. Resolves once the frontend serves the namespace.
 */
export async function createTestNamespace(connection: Connection, prefix = 'test'): Promise<{ namespace: string; remove(): Promise<void> }> {
  const namespace = `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });

  const deadline = Date.now() + 30_000;
  for (let delay = 100; ; delay = Math.min(delay * 2, 1_000)) {
    try {
      // Goes through the frontend's namespace registry (a fresh namespace may not be in its cache yet).
      await connection.workflowService.countWorkflowExecutions({ namespace, query: '' });
      break;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`namespace ${namespace} not usable after 30 s`, { cause: e });
      await new Promise((r) => setTimeout(r, delay));
    }
  }
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(Object.entries(SEARCH_ATTRIBUTES).map(([name, type]) => [name, encodeSearchAttributeIndexedValueType(type.toUpperCase() as 'KEYWORD')!])),
  });

  return {
    namespace,
    // Deletion runs asynchronously in the server (it removes the namespace's executions in the background).
    remove: async () => {
      await connection.operatorService
        .deleteNamespace({ namespace })
        .catch((e: unknown) => process.stderr.write(`could not delete the test namespace ${namespace}: ${e instanceof Error ? e.message : String(e)}\n`));
    },
  };
}
