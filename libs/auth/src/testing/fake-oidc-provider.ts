import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK } from 'jose';

export interface FakeOidcProvider {
  issuer: string;
  jwksUri: string;
  /** Signs a token with the provider's current key (RS256, kid "key-1"); override anything. */
  sign(claims: Record<string, unknown>, opts?: { sub?: string; audience?: string; issuer?: string; expiresIn?: string | number; notBefore?: string | number; key?: CryptoKey; kid?: string; alg?: string }): Promise<string>;
  /** Counts of requests to discovery and JWKS (caching checks). */
  hits: { discovery: number; jwks: number };
  close(): Promise<void>;
}

/**
 * A tiny OIDC provider for tests on 127.0.0.1:0: a discovery document and a JWKS with one RS256
 * key, and a signer for tokens. Not a simulator of anything real beyond those two documents.
 */
export async function startFakeOidcProvider(): Promise<FakeOidcProvider> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
  const hits = { discovery: 0, jwks: 0 };
  let issuer = '';
  const server = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      hits.discovery++;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks`, id_token_signing_alg_values_supported: ['RS256'] }));
    } else if (req.url === '/jwks') {
      hits.jwks++;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    hits,
    async sign(claims, opts = {}) {
      let jwt = new SignJWT(claims)
        .setProtectedHeader({ alg: opts.alg ?? 'RS256', kid: opts.kid ?? 'key-1', typ: 'JWT' })
        .setSubject(opts.sub ?? 'subject-1')
        .setIssuer(opts.issuer ?? issuer)
        .setAudience(opts.audience ?? 'amtsweg-api')
        .setIssuedAt()
        .setExpirationTime(opts.expiresIn ?? '5m');
      if (opts.notBefore !== undefined) jwt = jwt.setNotBefore(opts.notBefore);
      return jwt.sign(opts.key ?? privateKey);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
