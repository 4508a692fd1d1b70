/** Notifications: the list, the unread count, marking read, and the live feed of the viewer's own stream. */
import { builder } from '../graphql/builder.js';
import { followedConnectionOf } from '../graphql/common.js';
import { requireViewer } from '../graphql/viewer.js';
import { parseSeqCursor } from '../realtime/cursor.js';
import type { NotificationPreference, NotificationView } from './service.js';
import type { UserEvent } from './events.js';
import type { Delivery } from '../realtime/realtime.js';

export const NotificationRef = builder.objectRef<NotificationView>('Notification').implement({
  description:
    'Something that concerns the viewer: a mention, a reply, a direct message while away, an announcement in a course; later features add types.',
  fields: (t) => ({
    id: t.exposeID('id'),
    type: t.exposeString('type', {
      description:
        'mention | reply | direct_message | announcement | session.assigned | session.changed | session.cancelled | reminder | booking.made | booking.cancelled | waitlist.slot_freed | tutor_budget_warning (notificationPreferences lists them)',
    }),
    courseId: t.exposeID('courseId', { nullable: true }),
    courseTitle: t.exposeString('courseTitle', { nullable: true }),
    actorName: t.exposeString('actorName', { nullable: true }),
    roomId: t.exposeID('roomId', { nullable: true }),
    messageId: t.exposeID('messageId', { nullable: true }),
    excerpt: t.exposeString('excerpt'),
    data: t.field({ type: 'JSON', resolve: (n) => n.data }),
    read: t.boolean({ resolve: (n) => n.readAt !== null }),
    createdAt: t.field({ type: 'DateTime', resolve: (n) => n.createdAt }),
  }),
});
const NotificationConnection = followedConnectionOf<NotificationView>('Notification', NotificationRef, 'notificationEvents');

builder.queryFields((t) => ({
  notifications: t.field({
    type: NotificationConnection,
    description: "The viewer's notifications, newest first. Its `cursor` is where notificationEvents follows them from.",
    args: { first: t.arg.int(), after: t.arg.string(), last: t.arg.int(), before: t.arg.string(), unreadOnly: t.arg.boolean() },
    resolve: (_r, args, ctx) => ctx.services.notifications.list(requireViewer(ctx), args),
  }),
  unreadNotificationCount: t.int({ resolve: (_r, _a, ctx) => ctx.services.notifications.unreadCount(requireViewer(ctx)) }),
}));

const NotificationPreferenceRef = builder.objectRef<NotificationPreference>('NotificationPreference').implement({
  description: 'A notification type and whether the viewer muted it (a muted type is not created for them).',
  fields: (t) => ({
    type: t.exposeString('type'),
    label: t.exposeString('label', { description: 'What the type is about, for a preferences screen.' }),
    group: t.exposeString('group', { description: 'chat | schedule | tutor' }),
    muted: t.exposeBoolean('muted'),
  }),
});

builder.queryFields((t) => ({
  notificationPreferences: t.field({
    type: [NotificationPreferenceRef],
    description: 'Every notification type, with whether the viewer muted it.',
    resolve: (_r, _a, ctx) => ctx.services.notifications.preferences(requireViewer(ctx)),
  }),
}));

builder.mutationFields((t) => ({
  setNotificationMuted: t.field({
    type: [NotificationPreferenceRef],
    description:
      'Mutes (or unmutes) one notification type for the viewer; returns every preference after. Muting `reminder` makes reminders `skipped`. BAD_USER_INPUT for an unknown type.',
    args: { type: t.arg.string({ required: true }), muted: t.arg.boolean({ required: true }) },
    resolve: (_r, { type, muted }, ctx) => ctx.services.notifications.setMuted(requireViewer(ctx), type, muted),
  }),
  markNotificationRead: t.int({
    description: 'Marks one notification read; returns how many changed (0 or 1).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => ctx.services.notifications.markRead(requireViewer(ctx), String(id)),
  }),
  markNotificationsRead: t.int({
    description:
      "Marks several of the viewer's notifications read (at most 100; others' ids and read ones are passed over); returns how many changed.",
    args: { ids: t.arg.idList({ required: true }) },
    resolve: (_r, { ids }, ctx) => ctx.services.notifications.markManyRead(requireViewer(ctx), ids.map(String)),
  }),
  markAllNotificationsRead: t.int({
    description: 'Marks every notification read; returns how many changed.',
    resolve: (_r, _a, ctx) => ctx.services.notifications.markRead(requireViewer(ctx), null),
  }),
}));

interface NotificationEventView {
  cursor: string;
  type: 'CREATED' | 'READ';
  notification: NotificationView | null;
  readIds: string[];
  allRead: boolean;
  unreadCount: number;
}
const NotificationEventTypeEnum = builder.enumType('NotificationEventType', { values: ['CREATED', 'READ'] as const });
const NotificationEventRef = builder.objectRef<NotificationEventView>('NotificationEvent').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: 'Pass as `after` to resume right after this event.' }),
    type: t.field({ type: NotificationEventTypeEnum, resolve: (e) => e.type }),
    notification: t.field({ type: NotificationRef, nullable: true, resolve: (e) => e.notification }),
    readIds: t.exposeIDList('readIds'),
    allRead: t.exposeBoolean('allRead'),
    unreadCount: t.exposeInt('unreadCount', { description: 'The unread count after this event.' }),
  }),
});

function toNotificationEvent(d: Delivery<UserEvent>): NotificationEventView | null {
  if (d.kind !== 'event') return null;
  const ev = d.event;
  switch (ev.type) {
    case 'notification.created': {
      const p = ev.payload;
      if (!p.notification) return null;
      const n = {
        ...p.notification,
        createdAt: new Date(p.notification.createdAt),
        readAt: p.notification.readAt ? new Date(p.notification.readAt) : null,
      };
      return { cursor: String(ev.seq), type: 'CREATED', notification: n, readIds: [], allRead: false, unreadCount: p.unreadCount ?? 0 };
    }
    case 'notification.read':
      return {
        cursor: String(ev.seq),
        type: 'READ',
        notification: null,
        readIds: ev.payload.ids ?? [],
        allRead: !!ev.payload.all,
        unreadCount: ev.payload.unreadCount ?? 0,
      };
    default:
      return null; // the stream's other events (rooms, tutor) are not notifications
  }
}

builder.subscriptionFields((t) => ({
  notificationEvents: t.field({
    type: NotificationEventRef,
    description:
      "The viewer's notifications as they come and are read (in any tab). With `after` (the `cursor` of `notifications`, or the last event's), replays from that cursor first. Per viewer: the viewer's own stream, which no one else reads (the viewer's tabs share one fan-out group).",
    args: { after: t.arg.string() },
    // A feed: a user's stream has one reader per tab of that user, all getting the same payloads; over WebSocket
    // those tabs (on this instance) are one fan-out group, rendered once per event.
    extensions: { feed: true },
    subscribe: (_r, { after }, ctx) => {
      const viewer = requireViewer(ctx);
      const { access, notifications, realtime } = ctx.services;
      const stream = notifications.requireOwnStream(viewer);
      const alive = () => !access.isRevoked(viewer);
      return realtime.feed({
        stream,
        after: parseSeqCursor(after),
        signals: false,
        authorizeNow: alive,
        authorize: async () => alive(),
        map: toNotificationEvent,
        signal: ctx.signal,
      });
    },
    resolve: (e) => e,
  }),
}));
