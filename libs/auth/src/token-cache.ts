import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Principal } from './principal';
import type { TokenVerifier } from './token-verifier';

export const TOKEN_CACHE_DEFAULT_MAX_ENTRIES = 10_000;
export const TOKEN_CACHE_DEFAULT_MAX_AGE_MS = 60_000;

export interface TokenCacheOptions {
  /** Most verified tokens kept; the least recently used go first. Default 10,000. */
  maxEntries?: number;
  /**
   * Longest time a verified token is trusted without verifying it again (never beyond its `exp`).
   * This is also how long a key withdrawn from the JWKS keeps working for a token already seen.
   * Default 60 s.
   */
  maxAgeMs?: number;
  /** Clock in ms since the epoch (Date.now); tests pass their own. */
  now?: () => number;
}

export interface CachingTokenVerifier extends TokenVerifier {
  /** Tokens currently held (expired ones included until they are looked up or evicted). */
  readonly size: number;
  clear(): void;
}

interface Entry {
  principal: Principal;
  /** ms since the epoch: min(exp, verification time + maxAgeMs). */
  expiresAt: number;
}

function frozen(p: Principal): Principal {
  // One object serves many requests: nobody may change it for the next one.
  return Object.freeze({ ...p, roles: Object.freeze([...p.roles]), groups: Object.freeze([...p.groups]) });
}

/** `exp` of a token the inner verifier has just accepted (so its claims are authentic), in ms. */
function expiryMs(token: string): number | undefined {
  try {
    const { exp } = decodeJwt(token);
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Remembers verified tokens so a client that sends the same bearer token on every request pays
 * for signature verification and claim mapping once per minute instead of once per request.
 *
 * - Key: SHA-256 of the token (the token itself is never kept); value: the Principal and when the
 *   entry stops counting, min(token `exp`, time of verification + maxAgeMs). An entry is checked
 *   against the clock on every hit, so an expired token is refused even when it is still cached.
 * - Only successes are cached: every failure (bad signature, expired, outage) goes to the inner
 *   verifier again next time.
 * - Bounded: at most maxEntries tokens, least recently used evicted first (lru-cache).
 */
export function cachingTokenVerifier(inner: TokenVerifier, opts: TokenCacheOptions = {}): CachingTokenVerifier {
  const maxAgeMs = opts.maxAgeMs ?? TOKEN_CACHE_DEFAULT_MAX_AGE_MS;
  const now = opts.now ?? Date.now;
  const cache = new LRUCache<string, Entry>({ max: opts.maxEntries ?? TOKEN_CACHE_DEFAULT_MAX_ENTRIES });

  return {
    get size() {
      return cache.size;
    },
    clear() {
      cache.clear();
    },
    async verify(token: string): Promise<Principal> {
      const key = createHash('sha256').update(token).digest('base64url');
      const startedAt = now();
      const hit = cache.get(key);
      if (hit) {
        if (hit.expiresAt > startedAt) return hit.principal;
        cache.delete(key);
      }
      const principal = frozen(await inner.verify(token));
      const exp = expiryMs(token);
      if (exp !== undefined) {
        // From the time the verification started: an entry never outlives what was checked.
        const expiresAt = Math.min(exp, startedAt + maxAgeMs);
        if (expiresAt > now()) cache.set(key, { principal, expiresAt });
      }
      return principal;
    },
  };
}
