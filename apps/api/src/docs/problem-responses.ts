import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { titleForStatus } from '../problem/problem';

export const PROBLEM_SCHEMA_NAME = 'Problem';

/** The OpenAPI schema of our RFC 9457 problem documents (registered once in openapi.ts). */
export const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', example: 'urn:amtsweg:problem:validation-failed' },
    title: { type: 'string', example: 'Unprocessable Content' },
    status: { type: 'integer', example: 422 },
    detail: { type: 'string' },
    instance: { type: 'string', example: '/api/v1/dev/token' },
    requestId: { type: 'string' },
    code: { type: 'string', description: 'Domain error code (CONFLICT, NOT_FOUND, …) when the problem comes from the domain' },
    reason: { type: 'string', description: 'A finer machine-readable reason, e.g. slot_taken' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: { path: { type: 'string', description: 'JSON pointer into the request body or query; "" is the whole' }, message: { type: 'string' } },
      },
    },
  },
} as const;

/** Documents problem+json responses for the given statuses. */
export function ApiProblemResponses(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: titleForStatus(status),
        content: { 'application/problem+json': { schema: { $ref: `#/components/schemas/${PROBLEM_SCHEMA_NAME}` } } },
      }),
    ),
  );
}
