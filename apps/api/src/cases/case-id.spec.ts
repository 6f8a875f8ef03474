import { caseIdForSubmission, deriveCaseId } from './case-id';

describe('deriveCaseId', () => {
  it('is a stable RFC 4122 version-5 UUID of (sub, key)', () => {
    const id = deriveCaseId('sub-1', 'key-1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deriveCaseId('sub-1', 'key-1')).toBe(id);
  });

  it('differs for another caller, another key, and does not mix up the boundary between them', () => {
    const id = deriveCaseId('sub-1', 'key-1');
    expect(deriveCaseId('sub-2', 'key-1')).not.toBe(id);
    expect(deriveCaseId('sub-1', 'key-2')).not.toBe(id);
    expect(deriveCaseId('ab', 'c')).not.toBe(deriveCaseId('a', 'bc'));
    expect(id).not.toContain('sub-1');
  });

  it('falls back to a random id without a key', () => {
    expect(caseIdForSubmission('s', 'k')).toBe(deriveCaseId('s', 'k'));
    expect(caseIdForSubmission('s', undefined)).not.toBe(caseIdForSubmission('s', undefined));
  });
});
