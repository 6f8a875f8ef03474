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
