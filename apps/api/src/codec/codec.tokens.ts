/** The EncryptionCodec of this API process (the same keys as the worker's). */
export const PAYLOAD_CODEC = Symbol('PAYLOAD_CODEC');
