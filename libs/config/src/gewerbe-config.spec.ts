import { ConfigError, loadConfig } from './config';

describe('Gewerbeanmeldung settings (GEWERBE_*)', () => {
  it('default to the Berlin online fee and the legal deadlines', () => {
    expect(loadConfig({})).toMatchObject({ GEWERBE_FEE_EUR: '15.00', GEWERBE_PAYMENT_DEADLINE: 'P7D', GEWERBE_RECEIPT_DEADLINE: 'P3D', GEWERBE_RECEIPT_ESCALATION: 'P2D' });
  });

  it('refuse a fee without two decimals and an escalation that comes after the deadline', () => {
    expect(() => loadConfig({ GEWERBE_FEE_EUR: '15' })).toThrow(/GEWERBE_FEE_EUR/);
    expect(() => loadConfig({ GEWERBE_RECEIPT_ESCALATION: 'P3D' })).toThrow(ConfigError);
    expect(() => loadConfig({ GEWERBE_RECEIPT_ESCALATION: 'P4D' })).toThrow(/GEWERBE_RECEIPT_ESCALATION: must be shorter than GEWERBE_RECEIPT_DEADLINE/);
    expect(loadConfig({ GEWERBE_RECEIPT_ESCALATION: 'PT60H' }).GEWERBE_RECEIPT_ESCALATION).toBe('PT60H');
  });
});
