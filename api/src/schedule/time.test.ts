/**
 * Wall-clock time and weekly series, without a database: a series keeps its local time across a daylight-saving
 * change of its zone (and its UTC time moves), its RRULE reads as RFC 5545 asks, its limits are refused with a
 * stable code, and a "this and the following" shift keeps the new local time on both sides of a change.
 */
import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { atWallClock, checkTimeZone, expandWeekly, shiftWallClock, wallClock } from './time.js';
import { AppError } from '../errors.js';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof AppError ? e.code : String(e);
  }
  return null;
};

describe('schedule time', () => {
  it('a weekly series in Europe/Paris stays at 10:00 local across the March change; its UTC time moves', () => {
    const first = atWallClock('2027-03-15T10:00', 'Europe/Paris');
    const { starts, rrule } = expandWeekly(first, 'Europe/Paris', { weekdays: [1], until: '2027-04-05' });
    expect(starts.map((s) => wallClock(s, 'Europe/Paris'))).toEqual([
      '2027-03-15T10:00',
      '2027-03-22T10:00',
      '2027-03-29T10:00',
      '2027-04-05T10:00',
    ]);
    expect(starts.map((s) => s.toISOString().slice(11, 16))).toEqual(['09:00', '09:00', '08:00', '08:00']);
    // UNTIL in UTC: the end of 5 April in Paris.
    expect(rrule).toBe('FREQ=WEEKLY;BYDAY=MO;UNTIL=20270405T215959Z');
  });

  it('a series in America/New_York crossing its autumn change, seen from Europe/Paris', () => {
    const first = atWallClock('2027-10-25T09:30', 'America/New_York');
    const { starts } = expandWeekly(first, 'America/New_York', { weekdays: [1, 3], count: 6 });
    expect(starts.map((s) => wallClock(s, 'America/New_York').slice(11))).toEqual(Array(6).fill('09:30'));
    // Paris changes on 31 October, New York on 7 November: the Paris time is 14:30, then 13:30 in the gap, then 15:30.
    expect(starts.map((s) => wallClock(s, 'Europe/Paris'))).toEqual([
      '2027-10-25T15:30',
      '2027-10-27T15:30',
      '2027-11-01T14:30',
      '2027-11-03T14:30',
      '2027-11-08T15:30',
      '2027-11-10T15:30',
    ]);
  });

  it('refuses more than 60 occurrences or a year, and a series without an end', () => {
    const first = atWallClock('2027-01-04T10:00', 'UTC');
    expect(codeOf(() => expandWeekly(first, 'UTC', { weekdays: [1, 2], count: 61 }))).toBe('SERIES_TOO_LONG');
    expect(codeOf(() => expandWeekly(first, 'UTC', { weekdays: [1, 2, 3], until: '2027-06-30' }))).toBe('SERIES_TOO_LONG');
    expect(codeOf(() => expandWeekly(first, 'UTC', { weekdays: [1], until: '2028-03-01' }))).toBe('SERIES_TOO_LONG');
    expect(codeOf(() => expandWeekly(first, 'UTC', { weekdays: [1] }))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => expandWeekly(first, 'UTC', { weekdays: [8], count: 2 }))).toBe('BAD_USER_INPUT');
    expect(expandWeekly(first, 'UTC', { weekdays: [1, 2, 3, 4, 5], count: 60 }).starts).toHaveLength(60);
  });

  it('checks and canonicalises IANA zone names', () => {
    expect(checkTimeZone('europe/paris')).toBe('Europe/Paris');
    expect(checkTimeZone('UTC')).toBe('UTC');
    expect(codeOf(() => checkTimeZone('Mars/Olympus'))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => checkTimeZone('UTC+3'))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => checkTimeZone(''))).toBe('BAD_USER_INPUT');
  });

  it('a following shift of 10:00 → 11:30 gives 11:30 local after the change too', () => {
    const zone = 'Europe/Paris';
    const from = atWallClock('2027-03-22T10:00', zone);
    const to = atWallClock('2027-03-22T11:30', zone);
    const later = atWallClock('2027-04-05T10:00', zone);
    expect(wallClock(shiftWallClock(later, zone, from, to), zone)).toBe('2027-04-05T11:30');
    // A day later and earlier in the day.
    const next = atWallClock('2027-03-23T08:00', zone);
    expect(wallClock(shiftWallClock(later, zone, from, next), zone)).toBe('2027-04-06T08:00');
    expect(DateTime.fromJSDate(shiftWallClock(later, zone, from, next)).isValid).toBe(true);
  });
});
