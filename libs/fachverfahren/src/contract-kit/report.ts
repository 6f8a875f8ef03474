import type { ContractReport } from './types';

const MARK = { passed: 'PASS', failed: 'FAIL', skipped: 'SKIP' } as const;

/** A plain-text report (no colours, so it reads the same in CI logs). */
export function formatReport(report: ContractReport): string {
  const failed = report.checks.filter((c) => c.status === 'failed').length;
  const skipped = report.checks.filter((c) => c.status === 'skipped').length;
  const lines = [`Adapter contract: ${report.adapter} (${report.kind} adapter)`, ''];
  for (const c of report.checks) {
    lines.push(`  ${MARK[c.status]}  ${c.name} (${c.ms} ms)`);
    if (c.detail) lines.push(`        ${c.detail}`);
  }
  lines.push('');
  lines.push(
    report.passed
      ? `PASSED: ${report.checks.length - skipped} of ${report.checks.length} checks passed${skipped ? `, ${skipped} skipped` : ''} in ${report.durationMs} ms`
      : `FAILED: ${failed} of ${report.checks.length} checks failed in ${report.durationMs} ms`,
  );
  return lines.join('\n');
}
