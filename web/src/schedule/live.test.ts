import { describe, expect, it } from 'vitest';
import type { ScheduleSessionItem } from '../graphql/schedule';
import {
  applyScheduleEvent,
  calendarEvents,
  conflictsOf,
  formatSessionTime,
  instantOf,
  loadedSchedule,
  offsetLabel,
  parseOffsets,
  wallClockOf,
  zoneNotice,
  type ScheduleEventItem,
} from './live';

const session = (id: string, sequence = 0, extra: Partial<ScheduleSessionItem> = {}): ScheduleSessionItem => ({
  id,
  courseId: 'c',
  kind: 'session',
  seriesId: null,
  recurrenceId: null,
  title: `Session ${id}`,
  description: '',
  startsAt: '2027-03-29T08:00:00.000Z',
  endsAt: '2027-03-29T09:00:00.000Z',
  timeZone: 'Europe/Paris',
  hostId: 'h',
  hostName: 'Ada',
  audience: 'COURSE',
  studentId: null,
  studentName: null,
  roomId: null,
  roomName: null,
  location: '',
  meetingUrl: null,
  status: 'SCHEDULED',
  sequence,
  canEdit: false,
  ...extra,
});
const ev = (type: ScheduleEventItem['type'], s: ScheduleSessionItem | null, sessionId = s?.id ?? null): ScheduleEventItem => ({
  cursor: '1',
  type,
  sessionId,
  session: s,
});

describe('the schedule live list', () => {
  it('upserts created and changed sessions, keeps the newer sequence, drops removed ones; a replay changes nothing', () => {
    const loaded = loadedSchedule([session('a', 1)], 'f', 't');
    const created = applyScheduleEvent(loaded, ev('SESSION_CREATED', session('b')));
    expect([...created.sessions.keys()]).toEqual(['a', 'b']);
    // An older copy (a replay of the event the load already reflected) does not undo a newer one.
    expect(applyScheduleEvent(created, ev('SESSION_UPDATED', session('a', 0, { title: 'old' }))).sessions.get('a')!.title).toBe(
      'Session a',
    );
    const cancelled = applyScheduleEvent(created, ev('SESSION_CANCELLED', session('a', 2, { status: 'CANCELLED' })));
    expect(cancelled.sessions.get('a')!.status).toBe('CANCELLED');
    const removed = applyScheduleEvent(cancelled, ev('SESSION_REMOVED', null, 'b'));
    expect([...removed.sessions.keys()]).toEqual(['a']);
    expect(applyScheduleEvent(removed, ev('SESSION_REMOVED', null, 'b'))).toBe(removed);
    expect(applyScheduleEvent(removed, ev('SETTINGS_UPDATED', null))).toBe(removed);
    expect(calendarEvents(removed)).toEqual([
      expect.objectContaining({ id: 'a', title: 'Cancelled: Session a', classNames: expect.arrayContaining(['sched-event--cancelled']) }),
    ]);
  });

  it('lets the viewer drag only the scheduled sessions they may change, and never where dragging is off', () => {
    const state = loadedSchedule(
      [
        session('mine', 0, { canEdit: true }),
        session('theirs'),
        session('gone', 0, { canEdit: true, status: 'CANCELLED' }),
        session('booked', 0, { canEdit: true, kind: 'booking' }),
      ],
      'f',
      't',
    );
    const editable = (dragging: boolean) => Object.fromEntries(calendarEvents(state, dragging).map((e) => [e.id, e.editable]));
    expect(editable(true)).toEqual({ mine: true, theirs: false, gone: false, booked: false });
    expect(editable(false)).toEqual({ mine: false, theirs: false, gone: false, booked: false });
  });

  it('converts wall-clock times in a zone and shows them in another, across a change', () => {
    // 10:00 in Paris on the Monday after Paris' March change is 08:00 UTC; the week before, 09:00 UTC.
    expect(instantOf('2027-03-29', '10:00', 'Europe/Paris')).toBe('2027-03-29T08:00:00.000Z');
    expect(instantOf('2027-03-22', '10:00', 'Europe/Paris')).toBe('2027-03-22T09:00:00.000Z');
    expect(wallClockOf('2027-03-29T08:00:00.000Z', 'America/New_York')).toEqual({ date: '2027-03-29', time: '04:00' });
    expect(formatSessionTime('2027-03-29T08:00:00.000Z', '2027-03-29T09:00:00.000Z', 'America/New_York')).toBe(
      'Mon 29 Mar 2027, 04:00–05:00',
    );
    expect(instantOf('2027-02-30', '10:00', 'UTC')).toBeNull();
  });

  it('names the zone only when it differs from the course’s', () => {
    expect(zoneNotice('Europe/Paris', 'Europe/Paris')).toBeNull();
    expect(zoneNotice('Etc/UTC', 'UTC')).toBeNull();
    expect(zoneNotice('America/New_York', 'Europe/Paris')).toContain('America/New York');
  });

  it('reads conflicts from a SCHEDULE_CONFLICT error only, and reminder offsets as people write them', () => {
    const conflict = { sessionId: 's', title: 'Lab', startsAt: 'a', endsAt: 'b', who: ['Ada'], kind: 'session' };
    expect(conflictsOf({ errors: [{ extensions: { code: 'SCHEDULE_CONFLICT', conflicts: [conflict] } }] })).toEqual([conflict]);
    expect(conflictsOf({ errors: [{ extensions: { code: 'FORBIDDEN' } }] })).toEqual([]);
    expect(conflictsOf(new Error('network'))).toEqual([]);
    expect(parseOffsets('1 day, 2h, 15')).toEqual([1440, 120, 15]);
    expect(parseOffsets('soon')).toBeNull();
    expect([1440, 90, 15].map(offsetLabel)).toEqual(['1 day', '1 h 30 min', '15 min']);
  });
});
