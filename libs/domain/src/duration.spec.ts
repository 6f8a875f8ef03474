import { addDuration, isIsoDuration, parseIsoDuration } from './duration';

describe('ISO 8601 durations', () => {
  const t0 = new Date('2026-01-31T10:00:00.000Z');

  it('parses and adds fixed-length parts', () => {
    expect(parseIsoDuration('P1W2DT3H4M5.5S')).toEqual({ years: 0, months: 0, weeks: 1, days: 2, hours: 3, minutes: 4, seconds: 5.5 });
    expect(addDuration(t0, 'P3D').toISOString()).toBe('2026-02-03T10:00:00.000Z');
    expect(addDuration(t0, 'PT15M').toISOString()).toBe('2026-01-31T10:15:00.000Z');
    expect(addDuration(t0, 90_000).toISOString()).toBe('2026-01-31T10:01:30.000Z');
  });

  it('adds calendar months, clamped to the end of the month', () => {
    expect(addDuration(t0, 'P1M').toISOString()).toBe('2026-02-28T10:00:00.000Z');
    expect(addDuration(t0, 'P1Y1M').toISOString()).toBe('2027-02-28T10:00:00.000Z');
    expect(addDuration(new Date('2026-11-15T00:00:00Z'), 'P2M').toISOString()).toBe('2027-01-15T00:00:00.000Z');
  });

  it('rejects what is not a duration', () => {
    for (const bad of ['P', 'PT', '3 days', 'P1.5D', '']) expect(isIsoDuration(bad)).toBe(false);
    expect(() => addDuration(t0, '3 days')).toThrow(RangeError);
    expect(() => addDuration(t0, -1)).toThrow(RangeError);
  });
});
