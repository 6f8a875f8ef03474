import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair } from 'jose';
import { AuthenticationError, AuthUnavailableError } from './errors';
import { createOidcVerifier, discoverJwksUri } from './oidc-verifier';
import { startFakeOidcProvider } from './testing/fake-oidc-provider';
import type { FakeOidcProvider } from './testing/fake-oidc-provider';

async function reasonOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AuthenticationError) return e.reason;
    if (e instanceof AuthUnavailableError) return 'unavailable';
    throw e;
  }
  return 'accepted';
}

describe('OIDC token verification against a JWKS found by discovery', () => {
  let idp: FakeOidcProvider;
  beforeAll(async () => {
    idp = await startFakeOidcProvider();
  });
  afterAll(async () => {
    await idp.close();
  });

  const verifier = () => createOidcVerifier({ issuer: idp.issuer, audience: 'amtsweg-api', algorithms: ['RS256', 'ES256'], clockToleranceSeconds: 5 });

  it('accepts a good token and maps its claims; discovery and JWKS are fetched once', async () => {
    const v = verifier();
    const before = { ...idp.hits };
    const token = await idp.sign({ roles: ['caseworker', 'something-else'], trust_level: 'hoch', office: 'ba-pankow', groups: ['gewerbe'] }, { sub: 'cw-7' });
    expect(await v.verify(token)).toEqual({ sub: 'cw-7', roles: ['caseworker'], trustLevel: 'hoch', office: 'ba-pankow', groups: ['gewerbe'] });
    await v.verify(token);
    expect(idp.hits.discovery - before.discovery).toBe(1);
    expect(idp.hits.jwks - before.jwks).toBe(1);
  });

  it('refuses expired, not-yet-valid, wrong audience, wrong issuer, foreign key, HS256 and bad-claims tokens', async () => {
    const v = verifier();
    const now = Math.floor(Date.now() / 1000);
    const foreign = await generateKeyPair('RS256');
    expect(await reasonOf(v.verify(await idp.sign({}, { expiresIn: now - 60 })))).toBe('expired');
    expect(await reasonOf(v.verify(await idp.sign({}, { notBefore: now + 600 })))).toBe('not_yet_valid');
    expect(await reasonOf(v.verify(await idp.sign({}, { audience: 'another-api' })))).toBe('audience');
    expect(await reasonOf(v.verify(await idp.sign({}, { issuer: 'https://evil.example' })))).toBe('issuer');
    expect(await reasonOf(v.verify(await idp.sign({}, { key: foreign.privateKey })))).toBe('signature');
    expect(await reasonOf(v.verify(await idp.sign({}, { key: foreign.privateKey, kid: 'unknown-kid' })))).toBe('unknown_key');
    expect(await reasonOf(v.verify(await idp.sign({}, { alg: 'HS256', key: new TextEncoder().encode('x'.repeat(40)) as never })))).toBe('algorithm');
    expect(await reasonOf(v.verify(await idp.sign({ trust_level: 'mega' })))).toBe('claims');
    expect(await reasonOf(v.verify('not-a-jwt'))).toBe('malformed');
  });

  it('tolerates a little clock skew', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await reasonOf(verifier().verify(await idp.sign({}, { expiresIn: now - 2 })))).toBe('accepted');
  });

  it('uses OIDC_JWKS_URL directly when given (no discovery)', async () => {
    const before = idp.hits.discovery;
    const v = createOidcVerifier({ issuer: idp.issuer, audience: 'amtsweg-api', jwksUrl: idp.jwksUri, algorithms: ['RS256'] });
    expect((await v.verify(await idp.sign({ roles: ['admin'] }))).roles).toEqual(['admin']);
    expect(idp.hits.discovery).toBe(before);
  });

  it('an unreachable provider is an outage (AuthUnavailableError), not a bad token', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const v = createOidcVerifier({ issuer: `http://127.0.0.1:${port}`, audience: 'amtsweg-api', algorithms: ['RS256'], httpTimeoutMs: 1000 });
    expect(await reasonOf(v.verify(await idp.sign({})))).toBe('unavailable');
  });

  it('discovery refuses a document for another issuer', async () => {
    await expect(discoverJwksUri(`${idp.issuer}/`)).rejects.toThrow(/names issuer/);
  });
});
