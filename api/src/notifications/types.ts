/**
 * The notification types, each with what the preferences screen calls it. A person may mute any of them: a muted
 * type is not created for them (`notify` skips it), and a reminder of a muted `reminder` type is `skipped`.
 */
export const NOTIFICATION_TYPES = [
  { type: 'mention', label: 'Someone mentions you', group: 'chat' },
  { type: 'reply', label: 'Someone replies to you', group: 'chat' },
  { type: 'direct_message', label: 'Direct messages while you are away', group: 'chat' },
  { type: 'announcement', label: 'Course announcements', group: 'chat' },
  { type: 'session.assigned', label: 'A session is planned with you', group: 'schedule' },
  { type: 'session.changed', label: 'A session of yours changes', group: 'schedule' },
  { type: 'session.cancelled', label: 'A session of yours is cancelled', group: 'schedule' },
  { type: 'reminder', label: 'Reminders before your sessions', group: 'schedule' },
  { type: 'booking.made', label: 'Someone books your office hours', group: 'schedule' },
  { type: 'booking.cancelled', label: 'An office-hours booking is cancelled', group: 'schedule' },
  { type: 'waitlist.slot_freed', label: 'A slot frees up on a waitlist you joined', group: 'schedule' },
  { type: 'tutor_budget_warning', label: "You near today's AI tutor budget", group: 'tutor' },
] as const;

export type NotificationType = (typeof NOTIFICATION_TYPES)[number]['type'];

const KNOWN = new Set<string>(NOTIFICATION_TYPES.map((t) => t.type));
export const isNotificationType = (t: string): t is NotificationType => KNOWN.has(t);
