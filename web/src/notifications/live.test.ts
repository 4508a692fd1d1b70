import { describe, expect, it } from 'vitest';
import type { AppNotification, NotificationEvent } from '../graphql/notifications';
import { applyNotificationEvent, HELD, loadedNotifications, type NotificationList } from './live';

const note = (id: string, read = false): AppNotification => ({
  id,
  type: 'mention',
  courseId: 'c',
  courseTitle: 'Course',
  actorName: 'Ada',
  roomId: 'r',
  messageId: `m-${id}`,
  excerpt: `about ${id}`,
  data: {},
  read,
  createdAt: '2026-12-01T10:00:00.000Z',
});
const created = (n: AppNotification, unreadCount: number, cursor = '1'): NotificationEvent => ({
  cursor,
  type: 'CREATED',
  notification: n,
  readIds: [],
  allRead: false,
  unreadCount,
});
const read = (ids: string[], unreadCount: number, allRead = false): NotificationEvent => ({
  cursor: '9',
  type: 'READ',
  notification: null,
  readIds: ids,
  allRead,
  unreadCount,
});

describe('the notification list, live', () => {
  it('is the first page and the count, with the cursor to follow them from', () => {
    const loaded = loadedNotifications({
      unreadNotificationCount: 1,
      notifications: {
        cursor: '42',
        edges: [{ cursor: 'x', node: note('a') }],
        pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: 'x', endCursor: 'x' },
      },
    });
    expect(loaded).toEqual({ state: { items: [note('a')], unreadCount: 1 }, cursor: '42' });
  });

  it('puts a new notification first and takes the count of the event', () => {
    const list: NotificationList = { items: [note('a')], unreadCount: 1 };
    expect(applyNotificationEvent(list, created(note('b'), 2))).toEqual({ items: [note('b'), note('a')], unreadCount: 2 });
  });

  it('a CREATED the page already holds (replayed after the cursor) changes nothing, however often', () => {
    const list: NotificationList = { items: [note('b', true), note('a')], unreadCount: 1 };
    // The page was read after b was read: the replayed CREATED (b unread) must not bring back the unread look.
    const again = applyNotificationEvent(list, created(note('b'), 1));
    expect(again).toBe(list);
    expect(applyNotificationEvent(again, created(note('b'), 1))).toBe(list);
  });

  it('READ marks the ids it names, or everything held', () => {
    const list: NotificationList = { items: [note('c'), note('b'), note('a')], unreadCount: 3 };
    const one = applyNotificationEvent(list, read(['b'], 2));
    expect(one.items.map((n) => n.read)).toEqual([false, true, false]);
    expect(one.unreadCount).toBe(2);
    const all = applyNotificationEvent(one, read([], 0, true));
    expect(all.items.every((n) => n.read)).toBe(true);
    expect(applyNotificationEvent(all, read([], 0, true))).toBe(all);
  });

  it(`keeps the ${HELD} newest`, () => {
    let list: NotificationList = { items: [], unreadCount: 0 };
    for (let i = 0; i < HELD + 5; i++) list = applyNotificationEvent(list, created(note(`n${i}`), i + 1));
    expect(list.items).toHaveLength(HELD);
    expect(list.items[0]!.id).toBe(`n${HELD + 4}`);
  });
});
