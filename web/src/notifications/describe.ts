/** How a notification reads in the center, and where it leads. Pure, tested. */
import type { AppNotification } from '../graphql/notifications';

/** The schedule's notification types: they lead to the course's Schedule tab, and light its tab. */
export const SCHEDULE_TYPES: ReadonlySet<string> = new Set([
  'session.assigned',
  'session.changed',
  'session.cancelled',
  'reminder',
  'booking.made',
  'booking.cancelled',
  'waitlist.slot_freed',
]);

/** A notification's `data` field (JSON) as a record of what the schedule's notifications carry. */
function dataOf(n: { data?: unknown }): { sessionId?: string; offsetMinutes?: number } {
  const d = n.data;
  if (!d || typeof d !== 'object') return {};
  const r = d as Record<string, unknown>;
  return {
    sessionId: typeof r['sessionId'] === 'string' ? r['sessionId'] : undefined,
    offsetMinutes: typeof r['offsetMinutes'] === 'number' ? r['offsetMinutes'] : undefined,
  };
}

/** "15 min", "1 h", "24 h", "2 d" (an offset in minutes). */
export function offsetLabel(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60 && minutes % 60 === 0) return `${minutes / 60} h`;
  if (minutes % 1440 === 0) return `${minutes / 1440} d`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function describeNotification(n: Pick<AppNotification, 'type' | 'actorName' | 'courseTitle'> & { data?: unknown }): string {
  const who = n.actorName ?? 'Someone';
  switch (n.type) {
    case 'announcement':
      return `${who} posted an announcement`;
    case 'tutor_budget_warning':
      return 'Your AI tutor budget for today';
    case 'mention':
      return `${who} mentioned you`;
    case 'reply':
      return `${who} replied to you`;
    case 'direct_message':
      return `${who} sent you a direct message`;
    case 'session.assigned':
      return 'A session was planned for you';
    case 'session.changed':
      return 'A session of yours changed';
    case 'session.cancelled':
      return 'A session of yours was cancelled';
    case 'reminder': {
      const offset = dataOf(n).offsetMinutes;
      return offset ? `Reminder: starts in ${offsetLabel(offset)}` : 'Reminder: a session starts soon';
    }
    case 'booking.made':
      return `${who} booked your office hours`;
    case 'booking.cancelled':
      return `${who} cancelled an office-hours booking`;
    case 'waitlist.slot_freed':
      return 'A slot freed up in office hours';
    default:
      return `${who}: ${n.type.replace(/[_.]/g, ' ')}`;
  }
}

/** The app route of a notification's target, or null when it has none. */
export function notificationTarget(
  n: Pick<AppNotification, 'type' | 'courseId' | 'roomId' | 'messageId'> & { data?: unknown },
): { path: string; query: Record<string, string> } | null {
  if (n.type === 'tutor_budget_warning' && n.courseId) return { path: `/courses/${n.courseId}/tutor`, query: {} };
  if (SCHEDULE_TYPES.has(n.type) && n.courseId) {
    const sessionId = dataOf(n).sessionId;
    return { path: `/courses/${n.courseId}/schedule`, query: sessionId ? { session: sessionId } : {} };
  }
  if (!n.courseId || !n.roomId) return null;
  const query: Record<string, string> = { room: n.roomId };
  if (n.messageId) query['message'] = n.messageId;
  return { path: `/courses/${n.courseId}/chat`, query };
}

/** "now", "5 min", "3 h", "2 d", then a date. */
export function shortAge(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return 'now';
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h`;
  if (s < 7 * 86_400) return `${Math.floor(s / 86_400)} d`;
  return new Date(iso).toLocaleDateString();
}
