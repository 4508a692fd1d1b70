/**
 * Every stream whose payload is the same for all its readers is served by fan-out groups (issue 13), through real
 * graphql-ws clients, PostgreSQL and Redis: courseActivity and presence (a course's readers), notificationEvents
 * and tutorUsage (per viewer: the viewer's tabs). Each event is rendered once per group and sent to every member;
 * each member's right is still checked; a filter that the operation key does not see (tutorUsage's course) splits
 * groups.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, poll, seed, startApp, subscribe, wsClient, type Collector, type TestApp } from '../../test/harness.js';
import { addMember, instructorOf, learnerOf, listening, ok, subCode, type Person } from '../../test/chat.js';
import { userStream } from '../notifications/events.js';

const ACTIVITY = `subscription($courseId: ID!, $after: String) { courseActivity(courseId: $courseId, after: $after) { cursor type data } }`;
const NOTIFICATION_EVENTS = `subscription($after: String) { notificationEvents(after: $after) { cursor type notification { id type excerpt } unreadCount } }`;
const PRESENCE = `subscription($courseId: ID!, $tabId: String) { presence(courseId: $courseId, tabId: $tabId) { userId state version } }`;
const SET_PRESENCE = `mutation($courseId: ID!, $tabId: String!, $state: PresenceState!) { setPresence(courseId: $courseId, tabId: $tabId, state: $state) }`;
const USAGE_SUB = `subscription($courseId: ID!) { tutorUsage(courseId: $courseId) { courseId usedToday dailyLimit remainingToday warning } }`;

describe('fan-out groups for every shared stream', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
  });
  const fanout = () => app.core.services.realtime.fanout;
  const counters = () => ({
    groups: fanout().groupCount,
    members: fanout().members,
    renders: fanout().renders,
    deliveries: fanout().deliveries,
  });
  const since = (c: ReturnType<typeof counters>) => {
    const now = counters();
    return {
      groups: now.groups - c.groups,
      members: now.members - c.members,
      renders: now.renders - c.renders,
      deliveries: now.deliveries - c.deliveries,
    };
  };

  /** `people` each open their own socket and subscribe; resolves once every subscription is live on the server. */
  async function open<T>(people: { token: string }[], query: string, variables: Record<string, unknown>, field: string) {
    const before = app.core.services.realtime.activeSubscriptions;
    const clients = people.map((p) => wsClient(app.wsUrl, p.token).client);
    const subs: Collector<T>[] = clients.map((c) => subscribe<T>(c, query, variables, field));
    await listening(app, before, people.length);
    return { subs, close: () => Promise.all(clients.map((c) => c.dispose())) };
  }

  it('courseActivity: the readers of a course form one group; an event is rendered once and reaches each of them', async () => {
    const f = await seed(app.core, 'feed-course');
    const readers = [instructorOf(f), learnerOf(f), await addMember(app.core, f, 'Third Reader')];
    const c0 = counters();
    const { subs, close } = await open<{ type: string; data: { userId?: string } }>(
      readers,
      ACTIVITY,
      { courseId: f.course.id },
      'courseActivity',
    );
    expect(since(c0)).toMatchObject({ groups: 1, members: 3 });

    const c1 = counters();
    const joiner = await addMember(app.core, f, 'Late Joiner'); // member.joined on the course stream
    for (const s of subs) expect((await s.waitFor(1))[0]).toMatchObject({ type: 'member.joined', data: { userId: joiner.user.id } });
    expect(since(c1)).toMatchObject({ renders: 1, deliveries: 3 });

    // Authorization stays per member: a reader removed from the course is ended, the others carry on.
    await app.core.services.courses.removeMembership(f.tenant.id, f.course.id, readers[2]!.user.id);
    await subs[2]!.ended();
    expect(subCode(subs[2]!.errors)).toBe('FORBIDDEN');
    for (const s of subs.slice(0, 2)) await s.waitFor(2);
    expect(subs[0]!.errors).toEqual([]);
    await close();
  });

  it("notificationEvents (per viewer): a user's tabs share one group; another user's stream is another group", async () => {
    const f = await seed(app.core, 'feed-notes');
    const lee = learnerOf(f);
    const c0 = counters();
    const tabs = await open<{ type: string; notification: { excerpt: string } | null }>(
      [lee, lee, lee],
      NOTIFICATION_EVENTS,
      {},
      'notificationEvents',
    );
    const other = await open<{ type: string }>([instructorOf(f)], NOTIFICATION_EVENTS, {}, 'notificationEvents');
    expect(since(c0)).toMatchObject({ groups: 2, members: 4 });

    const c1 = counters();
    await app.core.services.notifications.notify([
      { tenantId: f.tenant.id, userId: lee.user.id, courseId: f.course.id, type: 'mention', excerpt: 'for every tab' },
    ]);
    for (const s of tabs.subs)
      expect((await s.waitFor(1))[0]).toMatchObject({ type: 'CREATED', notification: { excerpt: 'for every tab' } });
    expect(since(c1)).toMatchObject({ renders: 1, deliveries: 3 });
    expect(other.subs[0]!.items).toEqual([]);
    await Promise.all([tabs.close(), other.close()]);
  });

  it("presence: a course's watchers form one group; a change is rendered once for all of them", async () => {
    const f = await seed(app.core, 'feed-presence');
    const watchers = [instructorOf(f), await addMember(app.core, f, 'Watcher Two'), await addMember(app.core, f, 'Watcher Three')];
    const c0 = counters();
    const { subs, close } = await open<{ userId: string; state: string }>(watchers, PRESENCE, { courseId: f.course.id }, 'presence');
    expect(since(c0)).toMatchObject({ groups: 1, members: 3 });

    const c1 = counters();
    const lee: Person = learnerOf(f);
    expect(
      ok(await gql(app.url, SET_PRESENCE, { courseId: f.course.id, tabId: 'feed-tab-0001', state: 'ONLINE' }, lee.token)).setPresence,
    ).toBe('ONLINE');
    for (const s of subs) expect((await s.waitFor(1))[0]).toMatchObject({ userId: lee.user.id, state: 'ONLINE' });
    expect(since(c1)).toMatchObject({ renders: 1, deliveries: 3 });
    await close();
  });

  it("tutorUsage (per viewer): a user's tabs on one course share a group, each starting from the usage now; another course is another group", async () => {
    const f = await seed(app.core, 'feed-usage');
    const lee = learnerOf(f);
    const { courses } = app.core.services;
    const other = await courses.upsertCourse({ tenantId: f.tenant.id, contextId: `feed-usage-2-${f.course.id}`, title: 'Second course' });
    await courses.setMembership(f.tenant.id, other.id, lee.user.id, ['learner']);

    const c0 = counters();
    const here = await open<{ courseId: string; usedToday: number }>([lee, lee], USAGE_SUB, { courseId: f.course.id }, 'tutorUsage');
    const there = await open<{ courseId: string; usedToday: number }>([lee], USAGE_SUB, { courseId: other.id }, 'tutorUsage');
    expect(since(c0)).toMatchObject({ groups: 2, members: 3 });
    for (const s of [...here.subs, ...there.subs]) expect((await s.waitFor(1))[0]).toMatchObject({ usedToday: 0 });

    const c1 = counters();
    const usage = {
      courseId: f.course.id,
      usedToday: 42,
      reservedToday: 0,
      dailyLimit: 1000,
      courseUsedThisMonth: 42,
      courseReservedThisMonth: 0,
      courseMonthlyLimit: 100_000,
      warnPercent: 80,
      tokensPerQuestion: 500,
      questionsLeft: 1,
      blockedBy: null,
      resetsAt: new Date().toISOString(),
      blockedUntil: null,
    };
    await app.core.services.realtime.write((_tx, emit) =>
      emit(userStream(lee.user.id), { tenantId: f.tenant.id, type: 'tutor.usage', payload: usage }),
    );
    for (const s of here.subs) expect((await s.waitFor(2))[1]).toMatchObject({ courseId: f.course.id, usedToday: 42 });
    // The other course's group skips it (nothing rendered there): one rendering, two deliveries.
    await poll(
      () => since(c1).deliveries >= 2,
      10_000,
      () => 'not delivered',
    );
    expect(since(c1)).toMatchObject({ renders: 1, deliveries: 2 });
    expect(there.subs[0]!.items).toHaveLength(1);
    await Promise.all([here.close(), there.close()]);
  });
});
