import { z } from 'zod';
import { zodToOpenApi } from '../docs/zod-openapi';
import { ApiProblem } from '../problem/problem';
import { ZodValidationPipe, toJsonPointer } from './zod-validation.pipe';

const schema = z.object({
  applicant: z.object({ email: z.email(), birthDate: z.iso.date() }),
  household: z.object({ members: z.number().int().min(1).max(20) }),
  kind: z.union([z.literal('miete'), z.literal('belastung')]),
});

function problemFor(value: unknown, type: 'body' | 'query' = 'body'): ApiProblem {
  try {
    new ZodValidationPipe(schema).transform(value, { type });
  } catch (e) {
    if (e instanceof ApiProblem) return e;
    throw e;
  }
  throw new Error('expected a validation problem');
}

const valid = { applicant: { email: 'a@b.de', birthDate: '1961-04-02' }, household: { members: 2 }, kind: 'miete' };

describe('ZodValidationPipe: 400 malformed vs 422 invalid', () => {
  it('passes valid input through (parsed)', () => {
    expect(new ZodValidationPipe(schema).transform(valid, { type: 'body' })).toEqual(valid);
  });

  it('422 when the shape is right but values break rules, with JSON pointer paths', () => {
    const p = problemFor({ ...valid, applicant: { email: 'not-an-email', birthDate: '1961-13-45' }, household: { members: 0 }, kind: 'eigentum' });
    expect(p.status).toBe(422);
    expect(p.errors?.map((e) => e.path).sort()).toEqual(['/applicant/birthDate', '/applicant/email', '/household/members', '/kind']);
  });

  it('422 when a required field is missing', () => {
    const p = problemFor({ applicant: valid.applicant, kind: 'miete' });
    expect(p.status).toBe(422);
    expect(p.errors).toEqual([{ path: '/household', message: expect.any(String) }]);
  });

  it('400 when a field has the wrong JSON type, even if other fields are merely invalid', () => {
    const p = problemFor({ ...valid, household: { members: 'two' }, applicant: { ...valid.applicant, email: 'x' } });
    expect(p.status).toBe(400);
    expect(p.errors?.map((e) => e.path).sort()).toEqual(['/applicant/email', '/household/members']);
  });

  it('400 for a body that is not an object, or no body at all', () => {
    expect(problemFor('just a string').status).toBe(400);
    expect(problemFor(null).status).toBe(400);
    expect(problemFor(undefined).status).toBe(400);
  });

  it('JSON pointers escape ~ and /', () => {
    expect(toJsonPointer(['a/b', 'c~d', 0])).toBe('/a~1b/c~0d/0');
    expect(toJsonPointer([])).toBe('');
  });
});

describe('zodToOpenApi', () => {
  it('documents request bodies as strict where the schema is, responses as open, without meaningless int bounds', () => {
    const s = z.strictObject({ n: z.number().int(), tags: z.array(z.string()).optional() });
    expect(zodToOpenApi(s, 'input')).toEqual({ type: 'object', properties: { n: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } } }, required: ['n'], additionalProperties: false });
    expect(zodToOpenApi(z.object({ n: z.number().int() }), 'output')).toEqual({ type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] });
  });
});
