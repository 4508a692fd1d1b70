/**
 * Wall-clock time in IANA zones, and weekly series. A series is an RFC 5545 RRULE read in the series' zone: it is
 * expanded by `rrule` in floating local time (every occurrence a wall-clock date and time, no zone), and each
 * occurrence's local start is then placed in the zone with luxon. So a series at 10:00 Europe/Paris stays at 10:00
 * in Paris across a daylight-saving change (its UTC time moves by an hour), which is what people expect of it.
 */
import { DateTime, IANAZone } from 'luxon';
import * as rruleModule from 'rrule';
import { AppError } from '../errors.js';

// rrule ships CommonJS for Node: under Node's ESM loader its exports sit on `default`; bundled or required, on the module.
const rrule = rruleModule as typeof rruleModule & { default?: typeof rruleModule };
const RRule = rrule.RRule ?? rrule.default!.RRule;

/** A series spans at most this many occurrences, and at most a year. */
export const MAX_OCCURRENCES = 60;
export const MAX_SERIES_DAYS = 366;

/** The canonical spelling of an IANA time zone name ('europe/paris' → 'Europe/Paris'); BAD_USER_INPUT when there is no such zone. */
export function checkTimeZone(raw: string, field = 'timeZone'): string {
  const name = raw.trim();
  if (!name || name.length > 64 || !IANAZone.isValidZone(name))
    throw new AppError('BAD_USER_INPUT', `${field} must be an IANA time zone name such as Europe/Paris.`, { field });
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    throw new AppError('BAD_USER_INPUT', `${field} must be an IANA time zone name such as Europe/Paris.`, { field });
  }
}

/** The wall-clock date and time of an instant in a zone, as an ISO local string (2027-03-28T10:00). */
export function wallClock(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");
}

/** The instant at a wall-clock date and time in a zone (a time skipped by a DST change moves forward, as luxon does). */
export function atWallClock(local: string, zone: string): Date {
  const dt = DateTime.fromISO(local, { zone });
  if (!dt.isValid) throw new AppError('BAD_USER_INPUT', `"${local}" is not a date and time.`);
  return dt.toJSDate();
}

export const WEEKDAY_CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;

export interface WeeklyRepeat {
  /** ISO weekdays (1 Monday … 7 Sunday); empty: the first occurrence's weekday. */
  weekdays?: readonly number[] | null;
  /** The last date (YYYY-MM-DD, in the series' zone) an occurrence may fall on. */
  until?: string | null;
  /** Or the number of occurrences. */
  count?: number | null;
}

export interface Expanded {
  /** The RRULE as stored (UNTIL in UTC, as RFC 5545 asks when DTSTART has a zone). */
  rrule: string;
  /** Every occurrence's start, in UTC; the first is the series' start. */
  starts: Date[];
}

/**
 * A weekly series from its first occurrence's start (an instant) in `zone`: the RRULE and each occurrence's start.
 * SERIES_TOO_LONG past MAX_OCCURRENCES occurrences or a year; BAD_USER_INPUT without an end.
 */
export function expandWeekly(first: Date, zone: string, repeat: WeeklyRepeat): Expanded {
  const start = DateTime.fromJSDate(first, { zone });
  const days = [...new Set(repeat.weekdays?.length ? repeat.weekdays : [start.weekday])].sort();
  if (days.some((d) => !Number.isInteger(d) || d < 1 || d > 7))
    throw new AppError('BAD_USER_INPUT', 'Weekdays are 1 (Monday) to 7 (Sunday).', { field: 'weekdays' });
  const hasUntil = !!repeat.until;
  const hasCount = repeat.count !== null && repeat.count !== undefined;
  if (hasUntil === hasCount)
    throw new AppError('BAD_USER_INPUT', 'A weekly series ends on a date (until) or after a number of times (count): give one.');
  const tooLong = () =>
    new AppError('SERIES_TOO_LONG', `A series has at most ${MAX_OCCURRENCES} occurrences and spans at most a year.`, {
      maxOccurrences: MAX_OCCURRENCES,
      maxDays: MAX_SERIES_DAYS,
    });
  let untilLocal: DateTime | null = null;
  if (hasUntil) {
    untilLocal = DateTime.fromISO(repeat.until!, { zone }).endOf('day');
    if (!untilLocal.isValid || !/^\d{4}-\d{2}-\d{2}$/.test(repeat.until!))
      throw new AppError('BAD_USER_INPUT', 'until is a date (YYYY-MM-DD).', { field: 'until' });
    if (untilLocal < start) throw new AppError('BAD_USER_INPUT', 'The series ends before it starts.', { field: 'until' });
    if (untilLocal.diff(start, 'days').days > MAX_SERIES_DAYS) throw tooLong();
  } else if (!Number.isInteger(repeat.count) || repeat.count! < 1) {
    throw new AppError('BAD_USER_INPUT', 'count is a positive number of occurrences.', { field: 'count' });
  } else if (repeat.count! > MAX_OCCURRENCES) throw tooLong();

  // Floating local time: the wall-clock fields carried in a UTC Date, as rrule expects.
  const floating = (dt: DateTime) => new Date(Date.UTC(dt.year, dt.month - 1, dt.day, dt.hour, dt.minute, dt.second));
  const byweekday = days.map((d) => RRule[WEEKDAY_CODES[d - 1]!]);
  const rule = new RRule({
    freq: RRule.WEEKLY,
    dtstart: floating(start),
    byweekday,
    ...(untilLocal ? { until: floating(untilLocal) } : { count: repeat.count! }),
  });
  // One more than allowed tells "too many" apart from "just enough".
  const locals = rule.all((_d, i) => i <= MAX_OCCURRENCES);
  if (locals.length > MAX_OCCURRENCES) throw tooLong();
  const starts = locals.map((d) =>
    DateTime.fromObject(
      {
        year: d.getUTCFullYear(),
        month: d.getUTCMonth() + 1,
        day: d.getUTCDate(),
        hour: d.getUTCHours(),
        minute: d.getUTCMinutes(),
        second: d.getUTCSeconds(),
      },
      { zone },
    ).toJSDate(),
  );
  if (starts.length === 0) throw new AppError('BAD_USER_INPUT', 'The series has no occurrence: check its weekdays and end.');
  if ((starts.at(-1)!.getTime() - starts[0]!.getTime()) / 86_400_000 > MAX_SERIES_DAYS) throw tooLong();
  const parts = [`FREQ=WEEKLY`, `BYDAY=${days.map((d) => WEEKDAY_CODES[d - 1]).join(',')}`];
  if (untilLocal) parts.push(`UNTIL=${untilLocal.toUTC().toFormat("yyyyMMdd'T'HHmmss'Z'")}`);
  else parts.push(`COUNT=${repeat.count}`);
  return { rrule: parts.join(';'), starts };
}

/**
 * Moves an instant by the change between two wall-clock times in a zone (an occurrence of "this and the following"
 * keeps its own date and takes the new time of day and the same shift in days), so that 10:00 → 11:00 on a
 * Monday in winter gives 11:00 on a Monday in summer too.
 */
export function shiftWallClock(at: Date, zone: string, from: Date, to: Date): Date {
  const a = DateTime.fromJSDate(from, { zone });
  const b = DateTime.fromJSDate(to, { zone });
  const dayShift = Math.round(b.startOf('day').diff(a.startOf('day'), 'days').days);
  const minutes = b.hour * 60 + b.minute - (a.hour * 60 + a.minute);
  const here = DateTime.fromJSDate(at, { zone });
  const total = here.hour * 60 + here.minute + minutes;
  const extraDays = Math.floor(total / 1440);
  const m = total - extraDays * 1440;
  // Calendar arithmetic in the zone: the wall-clock time is set, not an amount of elapsed time added.
  return here
    .plus({ days: dayShift + extraDays })
    .set({ hour: Math.floor(m / 60), minute: m % 60 })
    .toJSDate();
}
