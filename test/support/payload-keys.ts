import { createHash } from 'node:crypto';
import { formatPayloadKeys } from '../../libs/temporal/src/payload-keys';

/**
 * The payload key of every test (PAYLOAD_KEYS format): fixed, so clients, workers and API apps of
 * all test files agree. Never valid anywhere else. No Temporal imports here: API tests load it.
 */
export const TEST_PAYLOAD_KEYS = formatPayloadKeys([{ id: 'test-1', key: createHash('sha256').update('amtsweg test payload key 1').digest() }]);
