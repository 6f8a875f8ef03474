import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Loaded by path (DataConverter.failureConverterPath) in the client, the worker and the workflow
 * sandbox alike. It moves failure messages and stack traces into an encoded payload, so the payload
 * codecs (AES-256-GCM, later) encrypt them too — an error text can quote personal data.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
