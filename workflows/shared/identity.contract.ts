/**
 * What the API and workflows/shared/identity.ts share about identification requests. No I/O, no
 * workflow APIs: the API imports it.
 */

/**
 * The kind of the open request (case_requests.kind) a case has while it waits for a stronger
 * identification; its `details.trustLevel` is the level asked for. POST /api/v1/cases/{caseId}/identity
 * looks for it and checks the caller's token against that level.
 */
export const IDENTIFICATION_REQUEST_KIND = 'identification';
