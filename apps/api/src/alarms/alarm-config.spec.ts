import { ConfigError, loadConfig } from '../../../../libs/config/src/config';

// ALARM_EXPIRY_WARNING: how long before an alarm expires the "extend by link" mail goes out
// (AlarmsService passes it into each alarm workflow's timing at creation).
const base = { NODE_ENV: 'test' } as const;

describe('ALARM_EXPIRY_WARNING', () => {
  it('defaults to two days and takes an ISO 8601 duration', () => {
    expect(loadConfig({ ...base }).ALARM_EXPIRY_WARNING).toBe('P2D');
    expect(loadConfig({ ...base, ALARM_EXPIRY_WARNING: 'PT36H' }).ALARM_EXPIRY_WARNING).toBe('PT36H');
  });

  it('refuses a value that is not a duration, or not shorter than ALARM_LIFETIME', () => {
    expect(() => loadConfig({ ...base, ALARM_EXPIRY_WARNING: 'zwei Tage' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, ALARM_LIFETIME: 'P7D', ALARM_EXPIRY_WARNING: 'P7D' })).toThrow(/ALARM_EXPIRY_WARNING/);
    expect(loadConfig({ ...base, ALARM_LIFETIME: 'P7D', ALARM_EXPIRY_WARNING: 'P6D' }).ALARM_EXPIRY_WARNING).toBe('P6D');
  });
});
