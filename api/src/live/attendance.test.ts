/** Minutes present from the ledger: clipping to the scheduled time and the live period, open stretches, several stretches. */
import { describe, expect, it } from 'vitest';
import { minutesPresent, presentMs, presentNow, scheduledMinutes, type ClassTimes, type PresenceInterval } from './attendance.js';

const T0 = Date.parse('2030-03-04T10:00:00Z');
const at = (min: number, sec = 0) => new Date(T0 + min * 60_000 + sec * 1000);
const GRACE = 60_000;
/** Scheduled 10:00–10:50, started on time, ended at 10:50. */
const CLASS: ClassTimes = { startsAt: at(0), endsAt: at(50), startedAt: at(0), endedAt: at(50) };
const closed = (from: number, to: number): PresenceInterval => ({ joinedAt: at(from), lastSeenAt: at(to), leftAt: at(to) });

describe('attendance', () => {
  it('sums several stretches (a person who left and came back)', () => {
    expect(minutesPresent([closed(0, 20), closed(25, 50)], CLASS, at(60), GRACE)).toBe(45);
    expect(scheduledMinutes(CLASS)).toBe(50);
  });

  it('clips to the scheduled time and to the live period', () => {
    // Joined before the start and stayed after the scheduled end: only 10:00–10:50 counts.
    expect(minutesPresent([closed(-15, 70)], { ...CLASS, endedAt: at(70) }, at(80), GRACE)).toBe(50);
    // Started 10 minutes late and ended 5 minutes early: 35 minutes could be attended.
    expect(minutesPresent([closed(-5, 60)], { ...CLASS, startedAt: at(10), endedAt: at(45) }, at(80), GRACE)).toBe(35);
    // Never started: nothing.
    expect(minutesPresent([closed(0, 50)], { ...CLASS, startedAt: null, endedAt: null }, at(80), GRACE)).toBe(0);
  });

  it('an open stretch counts up to now, and at most to the last sign of life plus the grace period', () => {
    const live = { ...CLASS, endedAt: null };
    const open: PresenceInterval = { joinedAt: at(5), lastSeenAt: at(29, 40), leftAt: null };
    // Seen 20 s ago: counted up to now.
    expect(minutesPresent([open], live, at(30), GRACE)).toBe(25);
    // Silent for 10 minutes: counted up to its last sign of life + 60 s, not to now.
    expect(presentMs([open], live, at(40), GRACE)).toBe(at(30, 40).getTime() - at(5).getTime());
    expect(presentNow([open], at(30), GRACE)).toBe(true);
    expect(presentNow([open], at(40), GRACE)).toBe(false);
    expect(presentNow([closed(0, 10)], at(10), GRACE)).toBe(false);
  });

  it('a reconnect within the grace period is one stretch (the ledger keeps it open); overlapping stretches count once', () => {
    expect(minutesPresent([closed(0, 30), closed(10, 40)], CLASS, at(60), GRACE)).toBe(40);
    expect(minutesPresent([closed(0, 10), closed(0, 10)], CLASS, at(60), GRACE)).toBe(10);
  });

  it('a timeout closes the stretch at the last sign of life: the silent minutes do not count', () => {
    // Seen last at 10:20 (closed there by the sweep), back at 10:35.
    const ledger = [closed(0, 20), { joinedAt: at(35), lastSeenAt: at(50), leftAt: at(50) }];
    expect(minutesPresent(ledger, CLASS, at(60), GRACE)).toBe(35);
  });
});
