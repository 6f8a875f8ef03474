import { berlinIsoDate, berlinOffsetMinutes, endOfBerlinDay, formatBerlinDate, formatBerlinDateEn, formatBerlinDateTime } from './berlin-time';

describe('Berlin time for letters', () => {
  it('knows summer and winter time, switching at 01:00 UTC on the last Sundays of March and October', () => {
    expect(berlinOffsetMinutes(new Date('2026-01-15T12:00:00Z'))).toBe(60);
    expect(berlinOffsetMinutes(new Date('2026-07-15T12:00:00Z'))).toBe(120);
    // 2026: 29 March and 25 October
    expect(berlinOffsetMinutes(new Date('2026-03-29T00:59:59Z'))).toBe(60);
    expect(berlinOffsetMinutes(new Date('2026-03-29T01:00:00Z'))).toBe(120);
    expect(berlinOffsetMinutes(new Date('2026-10-25T00:59:59Z'))).toBe(120);
    expect(berlinOffsetMinutes(new Date('2026-10-25T01:00:00Z'))).toBe(60);
  });

  it('formats the Berlin calendar date the way a letter does', () => {
    expect(formatBerlinDate(new Date('2026-07-14T10:00:00Z'))).toBe('14. Juli 2026');
    // 23:30 UTC on 31 December is already New Year in Berlin
    expect(formatBerlinDate(new Date('2026-12-31T23:30:00Z'))).toBe('1. Januar 2027');
    expect(formatBerlinDate(new Date('2026-03-01T00:00:00Z'))).toBe('1. März 2026');
    expect(formatBerlinDateEn(new Date('2026-07-14T10:00:00Z'))).toBe('14 July 2026');
    expect(formatBerlinDateTime(new Date('2026-07-14T07:05:00Z'))).toBe('14. Juli 2026, 09:05 Uhr');
    expect(berlinIsoDate(new Date('2026-06-30T22:30:00Z'))).toBe('2026-07-01');
  });

  it('ends a deadline at the end of the Berlin day', () => {
    expect(endOfBerlinDay(new Date('2026-07-14T10:00:00Z')).toISOString()).toBe('2026-07-14T21:59:59.999Z');
    expect(endOfBerlinDay(new Date('2026-01-14T10:00:00Z')).toISOString()).toBe('2026-01-14T22:59:59.999Z');
    // early morning in Berlin, still the previous day in UTC
    expect(endOfBerlinDay(new Date('2026-01-13T23:30:00Z')).toISOString()).toBe('2026-01-14T22:59:59.999Z');
    // the days summer time starts and ends
    expect(endOfBerlinDay(new Date('2026-03-29T12:00:00Z')).toISOString()).toBe('2026-03-29T21:59:59.999Z');
    expect(endOfBerlinDay(new Date('2026-10-25T12:00:00Z')).toISOString()).toBe('2026-10-25T22:59:59.999Z');
  });
});
