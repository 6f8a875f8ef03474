import type { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import type { FieldIssue } from '../../../../libs/domain/src/errors';
import { ApiProblem, problemType } from '../problem/problem';

/**
 * Validates a body, query or path parameter against a zod schema and returns the parsed value.
 *
 * 400 or 422 — the split:
 * - 400 Bad Request ("malformed"): the input does not have the shape of the request at all — no
 *   JSON body where one is required, a body that is not an object, or a field present with the
 *   wrong JSON type (a string where a number belongs, an object where an array belongs; for query
 *   parameters: a value that cannot be read as the declared type, e.g. `?limit=abc`).
 *   (Unparseable JSON is already a 400 from the body parser, an oversized body a 413.)
 * - 422 Unprocessable Content ("invalid"): the shape is right but the values break a rule — a
 *   required field is missing, an enum value is unknown, a string is too long or not an email, a
 *   number is out of range, an unknown field in a strict object, a cross-field rule fails.
 * If any issue is a 400-kind issue the answer is 400; all issues are listed either way in
 * `errors: [{path, message}]` with `path` a JSON pointer ("/applicant/email", "" for the whole).
 */
export class ZodValidationPipe<T extends z.ZodType> implements PipeTransform<unknown, z.output<T>> {
  constructor(private readonly schema: T) {}

  transform(value: unknown, metadata: ArgumentMetadata): z.output<T> {
    if (metadata.type === 'body' && value === undefined) {
      throw new ApiProblem(400, 'This request needs a JSON body (Content-Type: application/json).', {
        type: problemType('malformed-request'),
        errors: [{ path: '', message: 'missing JSON body' }],
      });
    }
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    throw validationProblem(result.error.issues, value, metadata.type === 'body' ? 'body' : metadata.type === 'query' ? 'query' : 'path');
  }
}

type ZodIssue = z.core.$ZodIssue;

export function toJsonPointer(path: readonly PropertyKey[]): string {
  return path.map((seg) => `/${String(seg).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

/** True for issues that mean "wrong shape" (400), false for "right shape, wrong value" (422). */
export function isMalformedIssue(issue: ZodIssue, input: unknown): boolean {
  if (issue.code === 'invalid_type') return valueAt(input, issue.path) !== undefined;
  if (issue.code === 'invalid_union') {
    // A union fails as malformed only when every alternative found the value of the wrong type.
    return issue.errors.every((alt) => alt.some((i) => isMalformedIssue({ ...i, path: [...issue.path, ...i.path] } as ZodIssue, input)));
  }
  return false;
}

export function validationProblem(allIssues: readonly ZodIssue[], input: unknown, where: 'body' | 'query' | 'path'): ApiProblem {
  // zod keeps checking a value after a type mismatch (a string given for an array also fails the
  // array's max length "as a string"); only the type mismatch is worth reporting for that path.
  const mistyped = new Set(allIssues.filter((i) => i.code === 'invalid_type').map((i) => toJsonPointer(i.path)));
  const issues = allIssues.filter((i) => i.code === 'invalid_type' || !mistyped.has(toJsonPointer(i.path)));
  const errors: FieldIssue[] = issues.map((i) => ({ path: toJsonPointer(i.path), message: i.message }));
  const malformed = issues.some((i) => isMalformedIssue(i, input));
  const subject = where === 'body' ? 'The request body is' : where === 'query' ? 'The query parameters are' : 'The path parameters are';
  return malformed
    ? new ApiProblem(400, `${subject} malformed; see errors.`, { type: problemType('malformed-request'), errors })
    : new ApiProblem(422, `${subject} not valid; see errors.`, { type: problemType('validation-failed'), errors });
}
