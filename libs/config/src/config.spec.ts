import { loadConfig, ConfigError } from './config';

describe('loadConfig', () => {
  it('gives the local defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.AUTH_MODE).toBe('dev');
    expect(c.TEMPORAL_ADDRESS).toBe('localhost:7233');
    expect(c.ALARM_OFFER_HOLD).toBe('PT30M');
  });

  it('refuses AUTH_MODE=dev in production and names every bad variable', () => {
    try {
      loadConfig({ NODE_ENV: 'production', AUTH_MODE: 'dev', PORT: 'abc' });
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const msg = (e as Error).message;
      expect(msg).toMatch(/AUTH_MODE/);
      expect(msg).toMatch(/PORT/);
      expect(msg).toMatch(/PAYLOAD_KEYS/);
    }
  });

  it('rejects a malformed ISO 8601 duration', () => {
    expect(() => loadConfig({ APPOINTMENT_HOLD: '15 minutes' })).toThrow(/APPOINTMENT_HOLD/);
  });
});

describe('loadConfig: API settings', () => {
  it('reads TRUST_PROXY as a flag or a hop count', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(() => loadConfig({ TRUST_PROXY: 'sometimes' })).toThrow(/TRUST_PROXY/);
  });

  it('refuses symmetric or "none" algorithms for OIDC', () => {
    const oidc = { AUTH_MODE: 'oidc', OIDC_ISSUER: 'https://id.example', OIDC_AUDIENCE: 'amtsweg-api' };
    expect(loadConfig({ ...oidc, OIDC_ALGORITHMS: 'RS256, ES256' }).OIDC_ALGORITHMS).toBe('RS256, ES256');
    expect(() => loadConfig({ ...oidc, OIDC_ALGORITHMS: 'RS256,HS256' })).toThrow(/OIDC_ALGORITHMS.*HS256/);
    expect(() => loadConfig({ ...oidc, OIDC_ALGORITHMS: 'none' })).toThrow(/OIDC_ALGORITHMS/);
  });
});
