import { randomUUID } from 'node:crypto';
import { TypedSearchAttributes, defineSearchAttributeKey } from '@temporalio/common';
import { assertSafeSearchAttributes, assertSafeWorkflowId, isSafeWorkflowId, piiGuardInterceptor, searchAttributeProblems } from './pii-guard';

describe('pii guard: workflow ids', () => {
  it.each(['case', 'appointment', 'alarm', 'smoke'])('accepts %s-<uuid>', (kind) => {
    expect(isSafeWorkflowId(`${kind}-${randomUUID()}`)).toBe(true);
  });

  it.each([
    'case-Erika-Mustermann',
    `case-${randomUUID()}-erika`,
    `erika.mustermann@example.org-${randomUUID()}`,
    `case-${randomUUID().toUpperCase()}`,
    `wohngeld-DE89370400440532013000`,
    `case-${randomUUID()}\n`,
    'case-',
  ])('refuses %j', (id) => {
    expect(isSafeWorkflowId(id)).toBe(false);
    expect(() => assertSafeWorkflowId(id)).toThrow(/workflow id refused/);
  });

  it('does not quote the refused id', () => {
    expect(() => assertSafeWorkflowId('case-Erika-Mustermann')).toThrow(expect.objectContaining({ message: expect.not.stringContaining('Erika') }));
  });
});

describe('pii guard: search attributes', () => {
  it('accepts the allowed vocabulary in every input form', () => {
    const ok = { AmtswegProcess: ['wohngeld'], AmtswegCaseNumber: ['WG-2026-000123'], AmtswegCaseStatus: ['PROCESSING'], AmtswegOfficeId: ['buergeramt-mitte'] };
    expect(searchAttributeProblems(ok)).toEqual([]);
    const typed = new TypedSearchAttributes([{ key: defineSearchAttributeKey('AmtswegCaseStatus', 'KEYWORD'), value: 'RECEIVED' }]);
    expect(searchAttributeProblems(typed)).toEqual([]);
    expect(searchAttributeProblems(typed.getAll())).toEqual([]);
    expect(searchAttributeProblems(undefined)).toEqual([]);
  });

  it('refuses unknown attributes and values outside the vocabulary, without quoting them', () => {
    const problems = searchAttributeProblems({ ApplicantName: ['Erika Mustermann'], AmtswegCaseStatus: ['Erika Mustermann'], AmtswegCaseNumber: ['DE89370400440532013000'] });
    expect(problems).toHaveLength(3);
    expect(problems.join(' ')).not.toMatch(/Erika|DE8937/);
    const typed = new TypedSearchAttributes([{ key: defineSearchAttributeKey('AmtswegOfficeId', 'KEYWORD'), value: 'Heidestraße 17' }]);
    expect(() => assertSafeSearchAttributes(typed)).toThrow(/AmtswegOfficeId: value refused/);
  });
});

describe('piiGuardInterceptor', () => {
  const next = jest.fn(async () => 'run-id');
  const options = (workflowId: string, searchAttributes?: Record<string, string[]>) => ({ workflowId, taskQueue: 'q', searchAttributes }) as never;

  it('lets a well-formed start through and refuses a bad id or attribute before it reaches Temporal', async () => {
    const guard = piiGuardInterceptor();
    await expect(guard.start!({ workflowType: 'w', headers: {}, options: options(`case-${randomUUID()}`) }, next)).resolves.toBe('run-id');
    expect(next).toHaveBeenCalledTimes(1);
    await expect(guard.start!({ workflowType: 'w', headers: {}, options: options('case-Erika') }, next)).rejects.toThrow(/workflow id refused/);
    await expect(
      guard.signalWithStart!({ workflowType: 'w', headers: {}, signalName: 's', signalArgs: [], options: options(`case-${randomUUID()}`, { AmtswegCaseStatus: ['Erika'] }) }, next),
    ).rejects.toThrow(/search attributes refused/);
    expect(next).toHaveBeenCalledTimes(1);
  });
});
