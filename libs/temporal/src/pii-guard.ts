import type { SearchAttributePair, SearchAttributes, TypedSearchAttributes } from '@temporalio/common';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { CASE_NUMBER_PATTERN, CASE_TYPES } from '../../domain/src/cases/case-types';
import { EXTERNAL_STATUSES } from '../../domain/src/cases/case-status';
import { SEARCH_ATTRIBUTES } from './search-attributes';
import type { SearchAttributeName } from './search-attributes';

/**
 * Workflow ids and search attributes are stored and indexed by Temporal in clear text (the payload
 * codec cannot encrypt them) and show up in the Web UI's lists and in logs. So they carry no
 * personal data: ids are `<kind>-<uuid>`, search attributes take values from closed sets. This
 * module states those shapes; tests assert them, and the API's Temporal client refuses anything
 * else before it reaches Temporal (piiGuardInterceptor).
 *
 * A new kind of workflow adds its prefix to WORKFLOW_ID_PREFIXES — only ever followed by a UUID.
 */
export const WORKFLOW_ID_PREFIXES = ['case', 'appointment', 'alarm', 'smoke'] as const;

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const WORKFLOW_ID = new RegExp(`^(?:${WORKFLOW_ID_PREFIXES.join('|')})-${UUID}$`);

/** `case-<uuid>`, `appointment-<uuid>`, … (lower-case UUID, nothing before or after). */
export function isSafeWorkflowId(workflowId: string): boolean {
  return WORKFLOW_ID.test(workflowId);
}

export class PersonalDataGuardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PersonalDataGuardError';
  }
}

/** Throws when the id is not of an allowed shape. The message never quotes the id (it may be the leak). */
export function assertSafeWorkflowId(workflowId: string): void {
  if (!isSafeWorkflowId(workflowId)) {
    throw new PersonalDataGuardError(
      `workflow id refused (${workflowId.length} characters): workflow ids must be <kind>-<uuid> with kind one of ` +
        `${WORKFLOW_ID_PREFIXES.join(', ')} (libs/temporal/src/pii-guard.ts), so they can never carry personal data`,
    );
  }
}

const OFFICE_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Process kinds: the case types plus the non-case processes. */
export const PROCESS_KINDS: readonly string[] = [...Object.keys(CASE_TYPES), 'appointment', 'alarm', 'system'];

/** What each custom search attribute may hold: closed vocabularies and fixed formats only. */
const VALUE_RULES: Record<SearchAttributeName, { test(v: string): boolean; describe: string }> = {
  AmtswegProcess: { test: (v) => PROCESS_KINDS.includes(v), describe: `one of ${PROCESS_KINDS.join(', ')}` },
  AmtswegCaseNumber: { test: (v) => CASE_NUMBER_PATTERN.test(v), describe: 'a case number such as WG-2026-000123' },
  AmtswegCaseStatus: { test: (v) => (EXTERNAL_STATUSES as readonly string[]).includes(v), describe: `one of ${EXTERNAL_STATUSES.join(', ')}` },
  AmtswegOfficeId: { test: (v) => OFFICE_ID.test(v), describe: 'an office id (lower-case letters, digits, -)' },
};

export type SearchAttributesInput = SearchAttributes | TypedSearchAttributes | readonly SearchAttributePair[] | undefined;

function entries(attrs: SearchAttributesInput): Array<[string, unknown]> {
  if (!attrs) return [];
  if (Array.isArray(attrs)) return (attrs as readonly SearchAttributePair[]).map((p) => [p.key.name, p.value]);
  if (typeof (attrs as TypedSearchAttributes).getAll === 'function') return (attrs as TypedSearchAttributes).getAll().map((p) => [p.key.name, p.value]);
  return Object.entries(attrs as SearchAttributes);
}

/**
 * Problems with search attributes (empty = fine): only the names of SEARCH_ATTRIBUTES, only
 * values of their rule. Problems name the attribute, never the value.
 */
export function searchAttributeProblems(attrs: SearchAttributesInput): string[] {
  const problems: string[] = [];
  for (const [name, raw] of entries(attrs)) {
    if (!Object.prototype.hasOwnProperty.call(SEARCH_ATTRIBUTES, name)) {
      problems.push(`${name}: not an amtsweg search attribute (allowed: ${Object.keys(SEARCH_ATTRIBUTES).join(', ')})`);
      continue;
    }
    const rule = VALUE_RULES[name as SearchAttributeName];
    const values = raw === undefined || raw === null ? [] : Array.isArray(raw) ? (raw as unknown[]) : [raw];
    for (const v of values) {
      if (typeof v !== 'string' || !rule.test(v)) problems.push(`${name}: value refused, must be ${rule.describe}`);
    }
  }
  return problems;
}

export function assertSafeSearchAttributes(attrs: SearchAttributesInput): void {
  const problems = searchAttributeProblems(attrs);
  if (problems.length > 0) throw new PersonalDataGuardError(`search attributes refused: ${problems.join('; ')}`);
}

interface StartOptionsLike {
  workflowId: string;
  searchAttributes?: SearchAttributes;
  typedSearchAttributes?: SearchAttributePair[] | TypedSearchAttributes;
}

function check(options: StartOptionsLike): void {
  assertSafeWorkflowId(options.workflowId);
  assertSafeSearchAttributes(options.searchAttributes);
  assertSafeSearchAttributes(options.typedSearchAttributes);
}

/**
 * A client interceptor that refuses to start a workflow whose id or search attributes break the
 * rules above (start, signalWithStart, update-with-start). Upserts from inside workflows are not
 * covered here; tests check those with searchAttributeProblems.
 */
export function piiGuardInterceptor(): WorkflowClientInterceptor {
  return {
    async start(input, next) {
      check(input.options);
      return next(input);
    },
    async startWithDetails(input, next) {
      check(input.options);
      return next(input);
    },
    async signalWithStart(input, next) {
      check(input.options);
      return next(input);
    },
    async startUpdateWithStart(input, next) {
      check(input.workflowStartOptions);
      return next(input);
    },
  };
}
