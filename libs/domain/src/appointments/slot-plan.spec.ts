import { berlinWallTimeToUtc, openingHoursProblems, planSlots, toBerlinIso, TooManySlotsError } from './slot-plan';
import type { OpeningHours } from './slot-plan';

const hours: OpeningHours = { mon: [['08:00', '10:00']], tue: [['11:00', '12:00'], ['13:00', '14:00']], fri: [['08:00', '09:00']] };
const berlin = (s: string) => new Date(s); // literals below carry their offset

describe('slot planning', () => {
  it('converts Berlin wall-clock time in winter and summer', () => {
    expect(berlinWallTimeToUtc(2026, 12, 7, 8, 0).toISOString()).toBe('2026-12-07T07:00:00.000Z');
    expect(berlinWallTimeToUtc(2026, 7, 6, 8, 0).toISOString()).toBe('2026-07-06T06:00:00.000Z');
    // the days of the switch
    expect(berlinWallTimeToUtc(2026, 3, 29, 8, 0).toISOString()).toBe('2026-03-29T06:00:00.000Z');
    expect(berlinWallTimeToUtc(2026, 10, 25, 8, 0).toISOString()).toBe('2026-10-25T07:00:00.000Z');
  });

  it('formats with the Berlin offset', () => {
    expect(toBerlinIso(new Date('2026-12-07T07:00:00Z'))).toBe('2026-12-07T08:00:00+01:00');
    expect(toBerlinIso(new Date('2026-07-06T06:30:00Z'))).toBe('2026-07-06T08:30:00+02:00');
  });

  it('creates slots only inside opening hours, on a grid anchored at the opening time', () => {
    // Monday 7 Dec 2026 to Saturday 12 Dec 2026
    const slots = planSlots({ openingHours: hours, closures: [], from: berlin('2026-12-07T00:00:00+01:00'), to: berlin('2026-12-12T00:00:00+01:00'), slotMinutes: 30 });
    expect(slots.map((s) => toBerlinIso(s.start))).toEqual([
      '2026-12-07T08:00:00+01:00',
      '2026-12-07T08:30:00+01:00',
      '2026-12-07T09:00:00+01:00',
      '2026-12-07T09:30:00+01:00',
      '2026-12-08T11:00:00+01:00',
      '2026-12-08T11:30:00+01:00',
      '2026-12-08T13:00:00+01:00',
      '2026-12-08T13:30:00+01:00',
      '2026-12-11T08:00:00+01:00',
      '2026-12-11T08:30:00+01:00',
    ]);
    expect(slots.every((s) => s.end.getTime() - s.start.getTime() === 30 * 60_000)).toBe(true);
  });

  it('keeps the grid when the range starts inside an interval, and never runs past the range or closing time', () => {
    const slots = planSlots({ openingHours: hours, closures: [], from: berlin('2026-12-07T08:10:00+01:00'), to: berlin('2026-12-07T09:40:00+01:00'), slotMinutes: 20 });
    expect(slots.map((s) => toBerlinIso(s.start))).toEqual(['2026-12-07T08:20:00+01:00', '2026-12-07T08:40:00+01:00', '2026-12-07T09:00:00+01:00', '2026-12-07T09:20:00+01:00']);
    const uneven = planSlots({ openingHours: { mon: [['08:00', '08:50']] }, closures: [], from: berlin('2026-12-07T00:00:00+01:00'), to: berlin('2026-12-08T00:00:00+01:00'), slotMinutes: 20 });
    expect(uneven).toHaveLength(2); // 08:00, 08:20; 08:40–09:00 would pass closing time
  });

  it('skips closures (whole days and parts of days) and the past', () => {
    const slots = planSlots({
      openingHours: hours,
      closures: [
        { startsAt: berlin('2026-12-08T00:00:00+01:00'), endsAt: berlin('2026-12-09T00:00:00+01:00') },
        { startsAt: berlin('2026-12-11T08:15:00+01:00'), endsAt: berlin('2026-12-11T08:45:00+01:00') },
      ],
      from: berlin('2026-12-07T00:00:00+01:00'),
      to: berlin('2026-12-12T00:00:00+01:00'),
      slotMinutes: 30,
      notBefore: berlin('2026-12-07T09:00:00+01:00'),
    });
    expect(slots.map((s) => toBerlinIso(s.start))).toEqual(['2026-12-07T09:00:00+01:00', '2026-12-07T09:30:00+01:00']);
  });

  it('stops a runaway request', () => {
    expect(() => planSlots({ openingHours: hours, closures: [], from: berlin('2026-12-07T00:00:00+01:00'), to: berlin('2027-03-01T00:00:00+01:00'), slotMinutes: 5, maxSlots: 100 })).toThrow(TooManySlotsError);
  });

  it('validates opening hours', () => {
    expect(openingHoursProblems(hours)).toEqual([]);
    expect(openingHoursProblems({ mon: [['10:00', '09:00']], xyz: [], tue: [['08:00', '12:00'], ['11:00', '13:00']], wed: [['8:00', '9:00']] })).toEqual([
      'mon: 10:00–09:00 opens after it closes',
      'xyz: not a weekday key (sun, mon, tue, wed, thu, fri, sat)',
      'tue: intervals overlap',
      'wed: ["8:00","9:00"] is not an ["HH:MM","HH:MM"] interval',
    ]);
  });
});
