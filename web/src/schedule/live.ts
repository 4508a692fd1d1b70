/**
 * The Schedule tab's pure rules: the loaded sessions and how each live event changes them (keyed by id, idempotent:
 * a replay may bring what the load already had), the calendar's events, times in the viewer's zone (naming it when
 * it differs from the course's), and the editor's wall-clock ↔ instant conversions in a session's zone.
 */
import { DateTime } from 'luxon';
import type { ScheduleSessionItem } from '../graphql/schedule';
import type { ScheduleEventsSubscription } from '../gql/graphql';

export type ScheduleEventItem = ScheduleEventsSubscription['scheduleEvents'];

export interface ScheduleState {
  /** By id, every session loaded or heard of. */
  sessions: ReadonlyMap<string, ScheduleSessionItem>;
  /** The range loaded ([from, to), ISO instants). */
  from: string;
  to: string;
}

export const emptySchedule = (from = '', to = ''): ScheduleState => ({ sessions: new Map(), from, to });

export function loadedSchedule(sessions: readonly ScheduleSessionItem[], from: string, to: string): ScheduleState {
  return { sessions: new Map(sessions.map((s) => [s.id, s])), from, to };
}

/** One event into the state: a session created, changed or cancelled is upserted (a newer sequence wins); removed leaves. */
export function applyScheduleEvent(state: ScheduleState, ev: ScheduleEventItem): ScheduleState {
  switch (ev.type) {
    case 'SESSION_CREATED':
    case 'SESSION_UPDATED':
    case 'SESSION_CANCELLED': {
      const s = ev.session;
      if (!s) return state;
      const had = state.sessions.get(s.id);
      if (had && had.sequence > s.sequence) return state;
      const next = new Map(state.sessions);
      next.set(s.id, s);
      return { ...state, sessions: next };
    }
    case 'SESSION_REMOVED': {
      if (!ev.sessionId || !state.sessions.has(ev.sessionId)) return state;
      const next = new Map(state.sessions);
      next.delete(ev.sessionId);
      return { ...state, sessions: next };
    }
    default:
      return state;
  }
}

/** The viewer's IANA zone (what the browser says). */
export function viewerTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** "Times in Europe/Paris (the course uses America/New_York)" when the zones differ; null when they agree. */
export function zoneNotice(viewerZone: string, courseZone: string): string | null {
  if (sameZone(viewerZone, courseZone)) return null;
  return `Times are shown in your time zone, ${viewerZone.replace(/_/g, ' ')} (the course uses ${courseZone.replace(/_/g, ' ')}).`;
}

/** Whether two zone names keep the same time now and in six months (Etc/UTC and UTC, say). */
export function sameZone(a: string, b: string): boolean {
  if (a === b) return true;
  const now = DateTime.now();
  return [now, now.plus({ months: 6 })].every((t) => t.setZone(a).offset === t.setZone(b).offset);
}

/** A session's time for people: "Mon 3 May, 10:00–11:00" in `zone`, with the zone's short name when asked. */
export function formatSessionTime(startsAt: string, endsAt: string, zone: string, withZone = false): string {
  const s = DateTime.fromISO(startsAt, { zone });
  const e = DateTime.fromISO(endsAt, { zone });
  const sameDay = s.hasSame(e, 'day');
  const day = s.toFormat('ccc d LLL yyyy');
  const range = sameDay ? `${s.toFormat('HH:mm')}–${e.toFormat('HH:mm')}` : `${s.toFormat('HH:mm')} – ${e.toFormat('ccc d LLL HH:mm')}`;
  return `${day}, ${range}${withZone ? ` (${s.toFormat('ZZZZ')})` : ''}`;
}

/** The instant (ISO, UTC) of a wall-clock date (YYYY-MM-DD) and time (HH:mm) in a zone; null when invalid. */
export function instantOf(date: string, time: string, zone: string): string | null {
  const dt = DateTime.fromISO(`${date}T${time}`, { zone });
  return dt.isValid ? dt.toUTC().toISO() : null;
}

/** The wall-clock date and time of an instant in a zone, as the editor's fields hold them. */
export function wallClockOf(iso: string, zone: string): { date: string; time: string } {
  const dt = DateTime.fromISO(iso, { zone });
  return { date: dt.toFormat('yyyy-MM-dd'), time: dt.toFormat('HH:mm') };
}

/** The ISO weekday (1 Monday … 7 Sunday) of a date. */
export const weekdayOf = (date: string) => DateTime.fromISO(date).weekday;

/**
 * The sessions as FullCalendar's events (cancelled ones struck through, bookings told apart). With `dragging`, the
 * scheduled sessions (not bookings) the viewer may change can be dragged and resized.
 */
export function calendarEvents(state: ScheduleState, dragging = false) {
  return [...state.sessions.values()]
    .sort((a, b) => a.startsAt.localeCompare(b.startsAt))
    .map((s) => ({
      id: s.id,
      title: s.status === 'CANCELLED' ? `Cancelled: ${s.title}` : s.title,
      start: s.startsAt,
      end: s.endsAt,
      editable: dragging && s.canEdit && s.kind === 'session' && s.status === 'SCHEDULED',
      classNames: [
        'sched-event',
        `sched-event--${s.status.toLowerCase()}`,
        s.kind === 'booking' ? 'sched-event--booking' : `sched-event--${s.audience.toLowerCase()}`,
      ],
    }));
}

/** The code of a GraphQL error (Apollo's CombinedGraphQLErrors) and its extensions, when it has one. */
function errorExtensions(error: unknown): { code: string | null; extensions: Record<string, unknown> } {
  const errors = (error as { errors?: { extensions?: Record<string, unknown> }[] } | null)?.errors;
  const ext = errors?.[0]?.extensions ?? {};
  return { code: typeof ext['code'] === 'string' ? ext['code'] : null, extensions: ext };
}

export interface ConflictItem {
  sessionId: string | null;
  title: string;
  startsAt: string;
  endsAt: string;
  who: string[];
  kind: string;
}

/** The conflicts a SCHEDULE_CONFLICT error lists (empty for any other error). */
export function conflictsOf(error: unknown): ConflictItem[] {
  const { code, extensions } = errorExtensions(error);
  if (code !== 'SCHEDULE_CONFLICT') return [];
  const list = extensions['conflicts'];
  return Array.isArray(list) ? (list as ConflictItem[]) : [];
}

/** Reminder offsets for people: 1440 → "1 day", 90 → "1 h 30 min". */
export function offsetLabel(minutes: number): string {
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  return [d ? `${d} day${d > 1 ? 's' : ''}` : '', h ? `${h} h` : '', m ? `${m} min` : ''].filter(Boolean).join(' ') || '0 min';
}

/** Offsets typed by a person ("1 day, 2h, 15") as minutes; null when one of them is not understood. */
export function parseOffsets(text: string): number[] | null {
  const parts = text
    .split(/[,;]/)
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean);
  const out: number[] = [];
  for (const p of parts) {
    const m = /^(\d+)\s*(d|day|days|h|hr|hour|hours|m|min|mins|minutes)?$/.exec(p);
    if (!m) return null;
    const n = Number(m[1]);
    const unit = m[2] ?? 'min';
    out.push(unit.startsWith('d') ? n * 1440 : unit.startsWith('h') ? n * 60 : n);
  }
  return out;
}
