/**
 * The viewer's notifications, live, once per app: the shell provides them, and the bell (its count and center) and
 * the course tabs (a signal on Schedule when a schedule notification arrives) inject them, so a tab holds one
 * subscription to the user's stream, not one per view. Every tab of the user follows the same stream: reading in one
 * clears the others.
 */
import { computed, inject, provide, type ComputedRef, type InjectionKey } from 'vue';
import { useApolloClient } from '../apollo/provide';
import { useLiveList, type LiveListHandle } from '../apollo/useLiveList';
import { MARK_NOTIFICATIONS_READ, NOTIFICATION_EVENTS, NOTIFICATIONS_QUERY, type AppNotification } from '../graphql/notifications';
import { applyNotificationEvent, emptyNotifications, loadedNotifications, type NotificationList } from './live';
import { SCHEDULE_TYPES } from './describe';

/** The first page the center shows (then what comes live). */
const PAGE = 20;

export interface Notifications {
  list: LiveListHandle<NotificationList>;
  items: ComputedRef<readonly AppNotification[]>;
  unreadCount: ComputedRef<number>;
  /** Loads and follows, once (the first view that shows them). */
  start: () => void;
  /** The bell went away (signed out): the next `start` loads again (a new session may be someone else's). */
  reset: () => void;
  /** The unread schedule notifications of a course (among those held: the first page and what came since). */
  unreadScheduleOf: (courseId: string) => AppNotification[];
  /** Marks these read (the READ event then updates every tab). */
  markRead: (ids: string[]) => Promise<void>;
}

const KEY: InjectionKey<Notifications> = Symbol('notifications');

export function provideNotifications(): Notifications {
  const client = useApolloClient();
  const list = useLiveList(NOTIFICATION_EVENTS, {
    initial: emptyNotifications(),
    lazy: true,
    load: async () =>
      loadedNotifications(
        (await client.query({ query: NOTIFICATIONS_QUERY, variables: { first: PAGE }, fetchPolicy: 'network-only' })).data!,
      ),
    variables: (after) => ({ after }),
    event: (data) => data.notificationEvents,
    cursorOf: (ev) => ev.cursor,
    merge: applyNotificationEvent,
  });
  let started = false;
  const n: Notifications = {
    list,
    items: computed(() => list.state.value.items),
    unreadCount: computed(() => list.state.value.unreadCount),
    start: () => {
      if (started) return;
      started = true;
      void list.reload();
    },
    reset: () => {
      started = false;
    },
    unreadScheduleOf: (courseId) => list.state.value.items.filter((i) => !i.read && i.courseId === courseId && SCHEDULE_TYPES.has(i.type)),
    markRead: async (ids) => {
      if (ids.length === 0) return;
      await client.mutate({ mutation: MARK_NOTIFICATIONS_READ, variables: { ids } }).catch(() => {});
    },
  };
  provide(KEY, n);
  return n;
}

/** The app's notifications (the shell's); null outside it. */
export function useNotifications(): Notifications | null {
  return inject(KEY, null);
}
