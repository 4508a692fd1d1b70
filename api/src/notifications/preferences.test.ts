/**
 * Notifications beyond chat, through GraphQL: per-type preferences (mute, unmute; a muted type is not created, by
 * notify() or by an announcement to the whole course), the schedule's types arriving live, and the unread count
 * right across two tabs of one person (two subscriptions) while notifications arrive and are read in either, one,
 * several or all at once. A learner cannot read or mark another's notifications.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, poll, seed, startApp, subscribe, wsClient, type TestApp } from '../../test/harness.js';
import { addMember, code, ok, type Person } from '../../test/chat.js';
import { NOTIFICATION_TYPES } from './types.js';

const PREFS = `query { notificationPreferences { type label group muted } }`;
const MUTE = `mutation($type: String!, $muted: Boolean!) { setNotificationMuted(type: $type, muted: $muted) { type muted } }`;
const LIST = `query { unreadNotificationCount notifications(first: 50) { cursor edges { node { id type read data excerpt } } } }`;
const EVENTS = `subscription($after: String) { notificationEvents(after: $after) { cursor type unreadCount readIds allRead notification { id type data } } }`;
const MARK_ONE = `mutation($id: ID!) { markNotificationRead(id: $id) }`;
const MARK_MANY = `mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) }`;
const MARK_ALL = `mutation { markAllNotificationsRead }`;

type Ev = {
  cursor: string;
  type: string;
  unreadCount: number;
  readIds: string[];
  allRead: boolean;
  notification: { id: string; type: string } | null;
};

describe.each([
  { name: 'PostgreSQL', embedded: false },
  { name: 'PGlite', embedded: true },
])('notification preferences and schedule notifications ($name)', ({ embedded }) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ embedded, env: { RATE_LIMIT_COSTLY: '1000/60' } });
  });
  afterAll(async () => {
    await app?.close();
  });

  const notifySchedule = (f: { tenant: { id: string }; course: { id: string } }, userIds: string[], type: string, sessionId: string) =>
    app.core.services.notifications.notify(
      userIds.map((userId) => ({
        tenantId: f.tenant.id,
        userId,
        courseId: f.course.id,
        type,
        excerpt: 'Lab',
        data: { sessionId, startsAt: new Date().toISOString() },
      })),
    );

  it('lists every type with its mute flag; mute and unmute one; an unknown type is refused', async () => {
    const f = await seed(app.core, 'prefs');
    const all = ok(await gql(app.url, PREFS, {}, f.learnerToken)).notificationPreferences;
    expect(all.map((p: { type: string }) => p.type)).toEqual(NOTIFICATION_TYPES.map((t) => t.type));
    expect(all.every((p: { muted: boolean }) => !p.muted)).toBe(true);
    for (const t of [
      'session.assigned',
      'session.changed',
      'session.cancelled',
      'reminder',
      'booking.made',
      'booking.cancelled',
      'waitlist.slot_freed',
      'tutor_budget_warning',
    ])
      expect(all.map((p: { type: string }) => p.type)).toContain(t);

    const after = ok(await gql(app.url, MUTE, { type: 'booking.made', muted: true }, f.learnerToken)).setNotificationMuted;
    expect(after.filter((p: { muted: boolean }) => p.muted)).toEqual([{ type: 'booking.made', muted: true }]);
    // Someone else's preferences are their own.
    expect(ok(await gql(app.url, PREFS, {}, f.instructorToken)).notificationPreferences.some((p: { muted: boolean }) => p.muted)).toBe(
      false,
    );
    const back = ok(await gql(app.url, MUTE, { type: 'booking.made', muted: false }, f.learnerToken)).setNotificationMuted;
    expect(back.some((p: { muted: boolean }) => p.muted)).toBe(false);
    expect(code((await gql(app.url, MUTE, { type: 'x'.repeat(500), muted: true }, f.learnerToken)).body)).toBe('BAD_USER_INPUT');
    expect(code((await gql(app.url, PREFS, {})).body)).toBe('UNAUTHENTICATED');
  });

  it('a muted type is never created: notify() skips it, and so does an announcement to the course', async () => {
    const f = await seed(app.core, 'muted');
    const ana = await addMember(app.core, f, 'Ana Muted');
    ok(await gql(app.url, MUTE, { type: 'session.cancelled', muted: true }, ana.token));
    ok(await gql(app.url, MUTE, { type: 'announcement', muted: true }, ana.token));
    expect(await notifySchedule(f, [f.learner.id, ana.user.id], 'session.cancelled', '00000000-0000-4000-8000-000000000001')).toBe(1);
    expect(await notifySchedule(f, [ana.user.id], 'session.changed', '00000000-0000-4000-8000-000000000001')).toBe(1);
    const items = ok(await gql(app.url, LIST, {}, ana.token)).notifications.edges.map((e: { node: { type: string } }) => e.node.type);
    expect(items).toEqual(['session.changed']);

    const roomId = (await app.core.services.rooms.ensureCourseRoom(f.tenant.id, f.course.id, f.course.title)).id;
    const sent = await gql(
      app.url,
      `mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }`,
      { input: { roomId, body: 'Exam moved to Friday', clientId: crypto.randomUUID(), announce: true } },
      f.instructorToken,
    );
    expect(sent.body.errors).toBeUndefined();
    const types = async (token: string) =>
      ok(await gql(app.url, LIST, {}, token)).notifications.edges.map((e: { node: { type: string } }) => e.node.type) as string[];
    await poll(
      async () => (await types(f.learnerToken)).includes('announcement'),
      10_000,
      () => 'the learner got no announcement',
    );
    expect(await types(ana.token)).toEqual(['session.changed']);
  });

  it('two tabs of one person: schedule notifications arrive live in both, and the unread count stays right in both', async () => {
    const f = await seed(app.core, 'tabs');
    const other: Person = await addMember(app.core, f, 'Olga Other');
    const tabs = [wsClient(app.wsUrl, f.learnerToken), wsClient(app.wsUrl, f.learnerToken)];
    const start = ok(await gql(app.url, LIST, {}, f.learnerToken)).notifications.cursor as string;
    const feeds = tabs.map((t) => subscribe<Ev>(t.client, EVENTS, { after: start }, 'notificationEvents'));
    try {
      const sessionId = '00000000-0000-4000-8000-00000000000a';
      await notifySchedule(f, [f.learner.id], 'session.assigned', sessionId);
      await notifySchedule(f, [f.learner.id], 'session.changed', sessionId);
      await notifySchedule(f, [f.learner.id], 'reminder', sessionId);
      await notifySchedule(f, [f.learner.id, other.user.id], 'session.cancelled', sessionId);
      for (const feed of feeds) {
        const got = await feed.waitFor(4);
        expect(got.map((e) => [e.type, e.notification?.type, e.unreadCount])).toEqual([
          ['CREATED', 'session.assigned', 1],
          ['CREATED', 'session.changed', 2],
          ['CREATED', 'reminder', 3],
          ['CREATED', 'session.cancelled', 4],
        ]);
      }
      const ids = feeds[0]!.items.map((e) => e.notification!.id);

      // Read one in the first tab: both tabs hear it.
      expect(ok(await gql(app.url, MARK_ONE, { id: ids[0] }, f.learnerToken)).markNotificationRead).toBe(1);
      // Two at once in the second (the Schedule tab opened), one of them read already: only the other counts.
      expect(ok(await gql(app.url, MARK_MANY, { ids: [ids[0], ids[1]] }, f.learnerToken)).markNotificationsRead).toBe(1);
      // Another person's ids (and nonsense) change nothing for anyone.
      const theirs = ok(await gql(app.url, LIST, {}, other.token)).notifications.edges[0].node.id as string;
      expect(ok(await gql(app.url, MARK_MANY, { ids: [theirs, 'nope'] }, f.learnerToken)).markNotificationsRead).toBe(0);
      expect(code((await gql(app.url, MARK_ONE, { id: theirs }, f.learnerToken)).body)).toBe('NOT_FOUND');
      expect(ok(await gql(app.url, LIST, {}, other.token)).unreadNotificationCount).toBe(1);
      // The rest, from either tab.
      expect(ok(await gql(app.url, MARK_ALL, {}, f.learnerToken)).markAllNotificationsRead).toBe(2);
      for (const feed of feeds) {
        const got = await feed.waitFor(7);
        expect(got.slice(4).map((e) => [e.type, e.readIds.length, e.allRead, e.unreadCount])).toEqual([
          ['READ', 1, false, 3],
          ['READ', 1, false, 2],
          ['READ', 2, true, 0],
        ]);
        expect(feed.errors).toEqual([]);
      }
      // A tab that reconnects from where it was hears nothing twice; the count agrees with the list.
      const list = ok(await gql(app.url, LIST, {}, f.learnerToken));
      expect(list.unreadNotificationCount).toBe(0);
      expect(list.notifications.edges.every((e: { node: { read: boolean } }) => e.node.read)).toBe(true);
      // Learners never see another's notifications.
      expect(list.notifications.edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(theirs);
    } finally {
      for (const f of feeds) f.stop();
      await Promise.all(tabs.map((t) => t.client.dispose()));
    }
  });
});
