import { AuthenticationError } from './errors';
import { claimsFromPrincipal, principalFromClaims } from './claims';
import { createDevTokenVerifier, signDevToken } from './dev-tokens';
import { meetsTrustLevel } from './principal';
import type { Principal } from './principal';

describe('claims → Principal', () => {
  it('maps the claims of API.md, defaults trust to basis and drops unknown roles', () => {
    expect(principalFromClaims({ sub: 'a', roles: ['citizen', 'root'] })).toEqual({ sub: 'a', roles: ['citizen'], trustLevel: 'basis', groups: [] });
  });

  it.each([
    ['no sub', { roles: ['citizen'] }],
    ['roles not an array', { sub: 'a', roles: 'admin' }],
    ['unknown trust level', { sub: 'a', trust_level: 'maximal' }],
    ['groups of the wrong type', { sub: 'a', groups: [1, 2] }],
  ])('refuses %s with an AuthenticationError', (_name, claims) => {
    expect(() => principalFromClaims(claims)).toThrow(AuthenticationError);
  });

  it('round-trips through claimsFromPrincipal', () => {
    const p: Principal = { sub: 'cw', roles: ['caseworker'], trustLevel: 'hoch', office: 'o1', groups: ['g'], email: 'a@b.de', name: 'N' };
    expect(principalFromClaims({ sub: 'cw', ...claimsFromPrincipal(p) })).toEqual(p);
  });
});

describe('trust levels', () => {
  it('orders basis < substantiell < hoch', () => {
    expect(meetsTrustLevel('hoch', 'substantiell')).toBe(true);
    expect(meetsTrustLevel('substantiell', 'substantiell')).toBe(true);
    expect(meetsTrustLevel('basis', 'substantiell')).toBe(false);
    expect(meetsTrustLevel('substantiell', 'hoch')).toBe(false);
  });
});

describe('dev tokens', () => {
  const secret = 'a-test-secret-that-is-at-least-32-chars';
  it('verify what they sign, and nothing signed with another secret', async () => {
    const p: Principal = { sub: 's', roles: ['citizen'], trustLevel: 'substantiell', groups: [] };
    const { access_token } = await signDevToken(secret, p, 120);
    expect(await createDevTokenVerifier(secret).verify(access_token)).toEqual(p);
    await expect(createDevTokenVerifier(`${secret}-other`).verify(access_token)).rejects.toMatchObject({ reason: 'signature' });
  });
});
