import { createDevTokenVerifier, signDevToken } from './dev-tokens';
import { AuthenticationError, AuthUnavailableError } from './errors';
import type { Principal } from './principal';
import { cachingTokenVerifier } from './token-cache';
import type { TokenVerifier } from './token-verifier';

const secret = 'a-test-secret-that-is-at-least-32-chars';
const citizen: Principal = { sub: 'citizen-1', roles: ['citizen'], trustLevel: 'substantiell', groups: [] };

/** The real dev-token verifier, counting how often it is asked. */
function counted(inner: TokenVerifier = createDevTokenVerifier(secret)): TokenVerifier & { calls: number } {
  const v = {
    calls: 0,
    verify: (token: string) => {
      v.calls++;
      return inner.verify(token);
    },
  };
  return v;
}

async function reasonOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'accepted';
  } catch (e) {
    if (e instanceof AuthenticationError) return e.reason;
    throw e;
  }
}

describe('cachingTokenVerifier', () => {
  const T0 = Date.parse('2026-03-02T09:00:00Z');
  // Only the clock is faked: jose and the cache read Date.now(), WebCrypto's promises keep running.
  beforeEach(() => {
    jest.useFakeTimers({
      now: T0,
      doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
    });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('verifies a token once and answers repeats from the cache with the same principal', async () => {
    const inner = counted();
    const v = cachingTokenVerifier(inner);
    const { access_token } = await signDevToken(secret, citizen, 3600);
    const first = await v.verify(access_token);
    expect(first).toEqual(citizen);
    for (let i = 0; i < 5; i++) expect(await v.verify(access_token)).toBe(first);
    expect(inner.calls).toBe(1);
    expect(Object.isFrozen(first) && Object.isFrozen(first.roles) && Object.isFrozen(first.groups)).toBe(true);

    const other = await signDevToken(secret, { ...citizen, sub: 'citizen-2' }, 3600);
    expect((await v.verify(other.access_token)).sub).toBe('citizen-2');
    expect(inner.calls).toBe(2);
    expect(v.size).toBe(2);
  });

  it('refuses an expired token although it was cached before it expired', async () => {
    const inner = counted();
    const v = cachingTokenVerifier(inner);
    const { access_token } = await signDevToken(secret, citizen, 30); // exp = T0 + 30 s
    expect(await reasonOf(v.verify(access_token))).toBe('accepted');
    jest.setSystemTime(T0 + 29_000);
    expect(await reasonOf(v.verify(access_token))).toBe('accepted');
    expect(inner.calls).toBe(1); // still from the cache

    // Past exp and past the dev verifier's 5 s clock tolerance: verified again, and refused.
    jest.setSystemTime(T0 + 36_000);
    expect(await reasonOf(v.verify(access_token))).toBe('expired');
    expect(inner.calls).toBe(2);
    expect(await reasonOf(v.verify(access_token))).toBe('expired');
    expect(inner.calls).toBe(3); // the failure was not cached either
  });

  it('never serves an entry past exp, even inside the verifier’s clock tolerance', async () => {
    const inner = counted();
    const v = cachingTokenVerifier(inner);
    const { access_token } = await signDevToken(secret, citizen, 30);
    await v.verify(access_token);
    jest.setSystemTime(T0 + 31_000); // the verifier still accepts (tolerance), but it is asked again
    expect(await reasonOf(v.verify(access_token))).toBe('accepted');
    expect(inner.calls).toBe(2);
  });

  it('re-verifies a long-lived token after at most maxAgeMs', async () => {
    const inner = counted();
    const v = cachingTokenVerifier(inner, { maxAgeMs: 60_000 });
    const { access_token } = await signDevToken(secret, citizen, 3600);
    await v.verify(access_token);
    jest.setSystemTime(T0 + 59_999);
    await v.verify(access_token);
    expect(inner.calls).toBe(1);
    jest.setSystemTime(T0 + 60_000);
    await v.verify(access_token);
    expect(inner.calls).toBe(2);
  });

  it('caches no failure: bad signatures and outages reach the verifier every time', async () => {
    const inner = counted();
    const v = cachingTokenVerifier(inner);
    const forged = await signDevToken(`${secret}-forged`, { ...citizen, roles: ['admin'] }, 3600);
    expect(await reasonOf(v.verify(forged.access_token))).toBe('signature');
    expect(await reasonOf(v.verify(forged.access_token))).toBe('signature');
    expect(await reasonOf(v.verify('not-a-jwt'))).toBe('malformed');
    expect(inner.calls).toBe(3);
    expect(v.size).toBe(0);

    let down = true;
    const flaky = counted({
      verify: async (t) => {
        if (down) throw new AuthUnavailableError('JWKS unreachable');
        return createDevTokenVerifier(secret).verify(t);
      },
    });
    const cached = cachingTokenVerifier(flaky);
    const { access_token } = await signDevToken(secret, citizen, 3600);
    await expect(cached.verify(access_token)).rejects.toBeInstanceOf(AuthUnavailableError);
    down = false;
    expect(await cached.verify(access_token)).toEqual(citizen);
    expect(flaky.calls).toBe(2);
  });

  it('keeps at most maxEntries tokens, dropping the least recently used', async () => {
    const inner = counted();
    const v = cachingTokenVerifier(inner, { maxEntries: 2 });
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map(async (sub) => (await signDevToken(secret, { ...citizen, sub }, 3600)).access_token));
    await v.verify(a!);
    await v.verify(b!);
    await v.verify(a!); // a is now the most recently used
    await v.verify(c!); // evicts b
    expect(v.size).toBe(2);
    expect(inner.calls).toBe(3);
    await v.verify(a!);
    expect(inner.calls).toBe(3);
    await v.verify(b!);
    expect(inner.calls).toBe(4);
  });

  it('does not cache a token without exp', async () => {
    const inner = counted({ verify: async () => citizen });
    const v = cachingTokenVerifier(inner);
    await v.verify('opaque');
    await v.verify('opaque');
    expect(inner.calls).toBe(2);
  });
});
