/**
 * The completion form of a human task: a JSON Schema (draft 2020-12) that the workflow's Update
 * validator checks the caseworker's data against. @cfworker/json-schema interprets the schema
 * (no code generation, no eval), so it runs inside Temporal's workflow sandbox and the result is
 * deterministic. Pure TypeScript, safe in workflows.
 */
import { Validator } from '@cfworker/json-schema';
import type { OutputUnit, Schema } from '@cfworker/json-schema';
import type { FieldIssue } from '../errors';

/** A JSON Schema object describing the `data` of a task completion. */
export type FormSchema = Record<string, unknown>;

/** The schema of a task that asks for nothing but the outcome. */
export const EMPTY_FORM: FormSchema = { type: 'object', additionalProperties: false };

const PROPERTY_IN_MESSAGE = /^(?:Instance does not have required property|Property) "((?:[^"\\]|\\.)*)"/;

/** cfworker quotes a number that is out of range; the problem document should not echo form values. */
const NUMBER_IN_MESSAGE = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)? (is (?:less|greater|not a multiple))/i;

function messageOf(e: OutputUnit): string {
  return e.error.replace(NUMBER_IN_MESSAGE, 'Number $1').replace(/ {2,}/g, ' ');
}

function pointer(instanceLocation: string): string {
  return instanceLocation === '#' ? '' : instanceLocation.replace(/^#/, '');
}

function childPointer(parent: string, name: string): string {
  return `${parent}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/**
 * One issue per problem, with `path` a JSON pointer into the data ("" = the data as a whole):
 * wrapper errors ("Property x does not match schema") are dropped in favour of the nested error
 * that says what is wrong; "required" and "additionalProperties" point at the property concerned.
 */
export function formIssues(errors: readonly OutputUnit[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  const add = (path: string, message: string) => {
    const id = `${path}\u0000${message}`;
    if (seen.has(id)) return;
    seen.add(id);
    issues.push({ path, message });
  };
  const isParent = (e: OutputUnit) => errors.some((o) => o !== e && o.keywordLocation.startsWith(`${e.keywordLocation}/`));
  const covered = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'false' || isParent(e)) continue;
    const at = pointer(e.instanceLocation);
    const name = PROPERTY_IN_MESSAGE.exec(e.error)?.[1];
    if (e.keyword === 'required' && name !== undefined) {
      add(childPointer(at, name), 'is required');
    } else if ((e.keyword === 'additionalProperties' || e.keyword === 'unevaluatedProperties') && name !== undefined) {
      const p = childPointer(at, name);
      covered.add(p);
      add(p, 'is not an allowed field');
    } else {
      add(at, messageOf(e));
    }
  }
  for (const e of errors) {
    if (e.keyword !== 'false' || isParent(e)) continue;
    const at = pointer(e.instanceLocation);
    if (!covered.has(at)) add(at, 'is not allowed here');
  }
  return issues;
}

/** Thrown when a form schema itself cannot be used (an unresolvable $ref, not an object). */
export class FormSchemaError extends Error {
  override readonly name = 'FormSchemaError';
}

/** Compiles nothing, but resolves the schema's $ids once; throws FormSchemaError on a broken schema. */
export function formValidator(schema: FormSchema): (data: unknown) => FieldIssue[] {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw new FormSchemaError('a form schema must be a JSON Schema object');
  let validator: Validator;
  try {
    validator = new Validator(schema as Schema, '2020-12', false);
  } catch (e) {
    throw new FormSchemaError(`the form schema cannot be used: ${e instanceof Error ? e.message : String(e)}`);
  }
  return (data: unknown) => {
    const result = validator.validate(data);
    return result.valid ? [] : formIssues(result.errors);
  };
}

/** The issues of `data` against `schema`; [] when it is valid. */
export function validateFormData(schema: FormSchema, data: unknown): FieldIssue[] {
  return formValidator(schema)(data);
}
