/**
 * Office hours' pure rules for the web app: a window's upcoming days (in its own zone), its next occurrence in the
 * viewer's zone, slot times for people, and the error code of a failed mutation.
 */
import { DateTime } from 'luxon';
import { CombinedGraphQLErrors } from '@apollo/client/errors';

export interface WindowTimes {
  weekday: number;
  startTime: string;
  endTime: string;
  timeZone: string;
  horizonDays: number;
}

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

/** The window's days (YYYY-MM-DD in its zone) from today within its horizon, at most `max` of them. */
export function upcomingDays(w: WindowTimes, now: Date = new Date(), max = 8): string[] {
  const today = DateTime.fromJSDate(now, { zone: w.timeZone }).startOf('day');
  const last = today.plus({ days: Math.min(w.horizonDays, 61) });
  const out: string[] = [];
  let d = today.plus({ days: (w.weekday - today.weekday + 7) % 7 });
  while (d <= last && out.length < max) {
    out.push(d.toISODate()!);
    d = d.plus({ weeks: 1 });
  }
  return out;
}

/** "Tuesdays 10:00–12:00 (Europe/Paris)", and the next occurrence in the viewer's zone when it differs. */
export function describeWindow(w: WindowTimes, viewerZone: string, now: Date = new Date()): { local: string; yours: string | null } {
  const local = `${WEEKDAYS[w.weekday - 1]}s ${w.startTime}–${w.endTime} (${w.timeZone.replace(/_/g, ' ')})`;
  const [day] = upcomingDays({ ...w, horizonDays: 7 }, now, 1);
  if (!day) return { local, yours: null };
  const start = DateTime.fromISO(`${day}T${w.startTime === '24:00' ? '23:59' : w.startTime}`, { zone: w.timeZone });
  const end = w.endTime === '24:00' ? start.endOf('day') : DateTime.fromISO(`${day}T${w.endTime}`, { zone: w.timeZone });
  const s = start.setZone(viewerZone);
  const e = end.setZone(viewerZone);
  if (s.toFormat('ccc HH:mm') === start.toFormat('ccc HH:mm') && s.offset === start.offset) return { local, yours: null };
  return { local, yours: `${s.toFormat('cccc HH:mm')}–${e.toFormat('HH:mm')} your time (${viewerZone.replace(/_/g, ' ')})` };
}

/** A day chip's label: "Tue 8 Dec". */
export function dayLabel(day: string): string {
  return DateTime.fromISO(day).toFormat('ccc d LLL');
}

/** A slot's time in the viewer's zone: "10:00–10:30". */
export function slotLabel(startsAt: string, endsAt: string, zone: string): string {
  return `${DateTime.fromISO(startsAt, { zone }).toFormat('HH:mm')}–${DateTime.fromISO(endsAt, { zone }).toFormat('HH:mm')}`;
}

/** A booking's time for people, in the viewer's zone: "Tue 8 Dec, 10:00–10:30". */
export function bookingLabel(startsAt: string, endsAt: string, zone: string): string {
  const s = DateTime.fromISO(startsAt, { zone });
  return `${s.toFormat('ccc d LLL')}, ${slotLabel(startsAt, endsAt, zone)}`;
}

/** The viewer's date (YYYY-MM-DD) of an instant. */
export function localDay(iso: string, zone: string): string {
  return DateTime.fromISO(iso, { zone }).toISODate()!;
}

/** The `extensions.code` of a failed operation, if any. */
export function errorCode(error: unknown): string | null {
  if (CombinedGraphQLErrors.is(error)) {
    const c = error.errors[0]?.extensions?.['code'];
    return typeof c === 'string' ? c : null;
  }
  return null;
}
