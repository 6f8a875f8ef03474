import type { DataConverter, PayloadCodec } from '@temporalio/common';

export interface DataConverterOptions {
  /**
   * Payload codecs, applied in order when encoding (and in reverse when decoding). Production passes
   * the AES-256-GCM codec with key ids built from PAYLOAD_KEYS: see encryptedDataConverter() in
   * encryption-codec.ts. Without codecs (the default) payloads are plain JSON.
   */
  codecs?: PayloadCodec[];
  /**
   * Move failure messages and stack traces into an encoded payload so the codecs cover them too.
   * Defaults to true whenever a codec is configured: an encrypted history with clear-text error
   * messages would leak whatever the messages quote.
   */
  encodeFailureAttributes?: boolean;
}

/**
 * The one data converter of amtsweg, passed to the Temporal client (API, tests) and to every worker
 * (and to the workflow bundle: createWorkers forwards failureConverterPath to bundleWorkflowCode).
 * Client and worker must agree on it, or neither can read what the other wrote.
 *
 * The payload converter stays Temporal's default (JSON); there is no payloadConverterPath.
 */
export function createDataConverter(opts: DataConverterOptions = {}): DataConverter {
  const codecs = opts.codecs ?? [];
  const encodeFailures = opts.encodeFailureAttributes ?? codecs.length > 0;
  return {
    payloadCodecs: codecs,
    ...(encodeFailures ? { failureConverterPath: require.resolve('./encoded-failure-converter') } : {}),
  };
}
