import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { z } from 'zod';
import { ApiProblemResponses } from './problem-responses';

/**
 * Zod schemas are the single source of truth for request and response bodies: the same schema
 * validates (ZodValidationPipe) and documents (these helpers), so the two never drift apart.
 */
export function zodToOpenApi(schema: z.ZodType, io: 'input' | 'output' = 'input'): SchemaObject {
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return tidy(json, io) as SchemaObject;
}

/**
 * Responses stay open for new fields (API.md: "add fields freely"), so output schemas drop zod's
 * `additionalProperties: false`; request bodies keep it where the schema is strict. The ±2^53
 * bounds zod gives every integer say nothing and are dropped too.
 */
function tidy(node: unknown, io: 'input' | 'output'): unknown {
  if (Array.isArray(node)) return node.map((n) => tidy(n, io));
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (io === 'output' && k === 'additionalProperties' && v === false) continue;
    if ((k === 'minimum' || k === 'maximum') && typeof v === 'number' && Math.abs(v) === Number.MAX_SAFE_INTEGER) continue;
    out[k] = tidy(v, io);
  }
  return out;
}

/** Documents a JSON request body (plus the 400/422 problems its validation can produce). */
export function ApiZodBody(schema: z.ZodType, description?: string): MethodDecorator {
  return applyDecorators(ApiBody({ schema: zodToOpenApi(schema, 'input'), ...(description && { description }) }), ApiProblemResponses(400, 422));
}

/** Documents a JSON response body for one status. */
export function ApiZodResponse(status: number, schema: z.ZodType, description = 'OK'): MethodDecorator {
  return applyDecorators(ApiResponse({ status, description, schema: zodToOpenApi(schema, 'output') }));
}

/** Documents query parameters from a z.object schema of (coerced) strings. */
export function ApiZodQuery(schema: z.ZodObject): MethodDecorator {
  const json = zodToOpenApi(schema, 'input');
  const required = new Set((json.required as string[] | undefined) ?? []);
  const props = (json.properties ?? {}) as Record<string, SchemaObject>;
  return applyDecorators(
    ...Object.entries(props).map(([name, s]) => ApiQuery({ name, required: required.has(name), schema: s, ...(s.description && { description: s.description }) })),
    ApiProblemResponses(400, 422),
  );
}
