/** The notification center's list as a pure reducer: the first page, then the live events merged in. */
import type { NotificationsQuery } from '../gql/graphql';
import type { AppNotification, NotificationEvent } from '../graphql/notifications';
import { insertKeyed, type Loaded } from '../apollo/live-list';

export interface NotificationList {
  /** Newest first, unique by id. */
  readonly items: readonly AppNotification[];
  readonly unreadCount: number;
}

/** The most the center keeps (the first page, then what comes live). */
export const HELD = 100;

export const emptyNotifications = (): NotificationList => ({ items: [], unreadCount: 0 });

/** The first page as the list, with the cursor `notificationEvents` follows it from. */
export function loadedNotifications(data: NotificationsQuery): Loaded<NotificationList> {
  return {
    state: { items: data.notifications.edges.map((e) => e.node), unreadCount: data.unreadNotificationCount },
    cursor: data.notifications.cursor,
  };
}

/**
 * Applies one event. Keyed by id: a CREATED the list already holds (a replay of what the page had) leaves it as it
 * is; READ marks what it names (or everything held). The count is the event's: the count after it.
 */
export function applyNotificationEvent(list: NotificationList, ev: NotificationEvent): NotificationList {
  let items = list.items;
  if (ev.type === 'CREATED' && ev.notification) {
    const added = insertKeyed(items, ev.notification, (n) => n.id, 'first');
    if (added !== items) items = added.slice(0, HELD);
  }
  if (ev.type === 'READ') {
    const read = new Set(ev.readIds);
    if (items.some((n) => !n.read && (ev.allRead || read.has(n.id))))
      items = items.map((n) => (!n.read && (ev.allRead || read.has(n.id)) ? { ...n, read: true } : n));
  }
  if (items === list.items && ev.unreadCount === list.unreadCount) return list;
  return { items, unreadCount: ev.unreadCount };
}
