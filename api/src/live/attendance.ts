/**
 * Attendance from the ledger, as pure functions (no database, no clock of their own): how long a person was present
 * in a class, the class's scheduled length, whether a person is in it now. The service reads the intervals; the
 * grades (live/grades.ts) turn the minutes into a score.
 *
 * Minutes present = the total of the person's stretches of presence that fall both within the scheduled time
 * [startsAt, endsAt] and within the class's live period [startedAt, endedAt ?? now]. A stretch still open counts up
 * to min(now, last seen + grace): a person whose heartbeats stopped is counted until the grace period runs out, not
 * beyond. Overlapping stretches (which the ledger never holds, one being open at a time) would count once.
 */

/** One stretch of presence of the ledger (live_intervals). */
export interface PresenceInterval {
  joinedAt: Date;
  lastSeenAt: Date;
  /** Null while open. */
  leftAt: Date | null;
}

/** The times of a class attendance is measured against. */
export interface ClassTimes {
  startsAt: Date;
  endsAt: Date;
  /** Null: never started (nobody was present). */
  startedAt: Date | null;
  /** Null: still live (measured up to now). */
  endedAt: Date | null;
}

const MINUTE = 60_000;

/** Milliseconds present within the scheduled time and the live period. */
export function presentMs(intervals: readonly PresenceInterval[], cls: ClassTimes, now: Date, graceMs: number): number {
  if (!cls.startedAt) return 0;
  const from = Math.max(cls.startsAt.getTime(), cls.startedAt.getTime());
  const to = Math.min(cls.endsAt.getTime(), (cls.endedAt ?? now).getTime());
  if (to <= from) return 0;
  const clipped: [number, number][] = [];
  for (const i of intervals) {
    const end = i.leftAt ? i.leftAt.getTime() : Math.min(now.getTime(), i.lastSeenAt.getTime() + graceMs);
    const a = Math.max(from, i.joinedAt.getTime());
    const b = Math.min(to, end);
    if (b > a) clipped.push([a, b]);
  }
  clipped.sort((x, y) => x[0] - y[0]);
  let total = 0;
  let curA = -Infinity;
  let curB = -Infinity;
  for (const [a, b] of clipped) {
    if (a > curB) {
      if (curB > curA) total += curB - curA;
      curA = a;
      curB = b;
    } else if (b > curB) curB = b;
  }
  if (curB > curA) total += curB - curA;
  return total;
}

/** Whole minutes present (rounded to the nearest minute). */
export function minutesPresent(intervals: readonly PresenceInterval[], cls: ClassTimes, now: Date, graceMs: number): number {
  return Math.round(presentMs(intervals, cls, now, graceMs) / MINUTE);
}

/** The scheduled length in whole minutes (rounded). */
export function scheduledMinutes(cls: Pick<ClassTimes, 'startsAt' | 'endsAt'>): number {
  return Math.max(0, Math.round((cls.endsAt.getTime() - cls.startsAt.getTime()) / MINUTE));
}

/** Whether a person is in the class now: a stretch is open and they were seen within the grace period. */
export function presentNow(intervals: readonly PresenceInterval[], now: Date, graceMs: number): boolean {
  return intervals.some((i) => i.leftAt === null && now.getTime() - i.lastSeenAt.getTime() <= graceMs);
}
