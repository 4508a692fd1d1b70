/** How a notification reads in the center, and where it leads. Pure, tested. */
import type { AppNotification } from '../graphql/notifications';

export function describeNotification(n: Pick<AppNotification, 'type' | 'actorName' | 'courseTitle'>): string {
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
    default:
      return `${who}: ${n.type.replace(/_/g, ' ')}`;
  }
}

/** The app route of a notification's target, or null when it has none. */
export function notificationTarget(
  n: Pick<AppNotification, 'type' | 'courseId' | 'roomId' | 'messageId'>,
): { path: string; query: Record<string, string> } | null {
  if (n.type === 'tutor_budget_warning' && n.courseId) return { path: `/courses/${n.courseId}/tutor`, query: {} };
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
