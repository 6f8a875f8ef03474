export * from './types';
export { runContractSuite } from './suite';
export type { RunOptions } from './suite';
export { formatReport } from './report';
export { httpContractFixture, SANDBOX_FAIL_HEADER } from './http-fixture';
