import { FormSchemaError, formValidator, validateFormData } from './form-schema';

const form = {
  type: 'object',
  required: ['decision', 'note'],
  additionalProperties: false,
  properties: {
    decision: { enum: ['approve', 'reject'] },
    note: { type: 'string', minLength: 3 },
    amount: { type: 'number', minimum: 0, maximum: 10000 },
    'a/b': { type: 'integer' },
    items: { type: 'array', items: { type: 'object', required: ['x'], properties: { x: { type: 'string' } } } },
  },
};

describe('validateFormData', () => {
  it('accepts valid data', () => {
    expect(validateFormData(form, { decision: 'approve', note: 'gut', amount: 12.5, items: [{ x: 'a' }] })).toEqual([]);
  });

  it('reports one issue per problem with a JSON pointer to the field', () => {
    expect(validateFormData(form, { decision: 'maybe', amount: 20000, extra: 1, 'a/b': 1.5, items: [{ x: 'a' }, {}] })).toEqual([
      { path: '/note', message: 'is required' },
      { path: '/decision', message: 'Instance does not match any of ["approve","reject"].' },
      { path: '/amount', message: 'Number is greater than 10000.' },
      { path: '/a~1b', message: 'Instance type "number" is invalid. Expected "integer".' },
      { path: '/items/1/x', message: 'is required' },
      { path: '/extra', message: 'is not an allowed field' },
    ]);
  });

  it('never echoes a numeric form value in a message', () => {
    const issues = validateFormData(form, { decision: 'approve', note: 'gut', amount: -4711.25 });
    expect(issues).toEqual([{ path: '/amount', message: 'Number is less than 0.' }]);
  });

  it('rejects data that is not an object as a whole', () => {
    expect(validateFormData(form, null)).toEqual([{ path: '', message: 'Instance type "null" is invalid. Expected "object".' }]);
  });

  it('refuses a schema that is not an object', () => {
    expect(() => formValidator([] as unknown as Record<string, unknown>)).toThrow(FormSchemaError);
  });
});
