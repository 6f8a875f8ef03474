export { startSandbox } from './sandbox';
export type { RunningSandbox, SandboxOptions, SentCallback, FaultRule, Operation } from './sandbox';
export { sandboxOptionsFromConfig, parseDelay } from './options';
export type { ReceivedDelivery } from './delivery-inbox';
