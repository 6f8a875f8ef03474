// Types for scripts/temporal-ensure.js (plain CommonJS so it runs before any build).
export interface EnsureTemporalCliOptions {
  /** Produce a binary even when TEMPORAL_ADDRESS is set (the tests always run their own server). */
  requireBinary?: boolean;
  log?: (message: string) => void;
}
/** Path of the Temporal CLI; null when TEMPORAL_ADDRESS is set and requireBinary is false. */
export function ensureTemporalCli(opts: EnsureTemporalCliOptions & { requireBinary: true }): Promise<string>;
export function ensureTemporalCli(opts?: EnsureTemporalCliOptions): Promise<string | null>;
export function cliVersion(file: string): string;
/** ${XDG_CACHE_HOME:-~/.cache}/amtsweg */
export function cacheRoot(): string;
export class TemporalCliMissing extends Error {}
export const CLI_VERSION: string;
