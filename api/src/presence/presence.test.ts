/**
 * Presence through GraphQL on a real Redis: a subscribed tab makes its user ONLINE for the course, every tab
 * of a user counts, AWAY only when all tabs are away, OFFLINE when the last closes; checks on tab ids and
 * on who may see a course's presence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, poll, seed, startApp, subscribe, wsClient, type Collector, type Fixture, type TestApp } from '../../test/harness.js';
import { addMember, apiKeyOf, code, instructorOf, learnerOf, listening, ok, subCode, type Person } from '../../test/chat.js';

const PRESENCE = `subscription($courseId: ID!, $tabId: String) { presence(courseId: $courseId, tabId: $tabId) { userId state version } }`;
const COURSE_PRESENCE = `query($id: ID!) { course(id: $id) { presence { userId state version } } }`;
const SET = `mutation($courseId: ID!, $tabId: String!, $state: PresenceState!) { setPresence(courseId: $courseId, tabId: $tabId, state: $state) }`;

const SET_WHERE = `mutation($courseId: ID!, $tabId: String!, $state: PresenceState!, $section: String) {
  setPresence(courseId: $courseId, tabId: $tabId, state: $state, section: $section) }`;

type Change = { userId: string; state: string; version: number };

describe('presence', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  /** A presence subscription; with a tabId, a tab of the user. Resolves once the server listens. */
  async function open(p: { token: string }, courseId: string, tabId?: string) {
    const { client: c } = wsClient(app.wsUrl, p.token);
    const before = app.core.services.realtime.activeSubscriptions;
    const s = subscribe<Change>(c, PRESENCE, tabId ? { courseId, tabId } : { courseId }, 'presence');
    await listening(app, before);
    return { c, s };
  }
  /** Closes a tab and waits until the server has let go of it. */
  async function close(tab: { c: { dispose(): void | Promise<void> } }) {
    const before = app.core.services.realtime.activeSubscriptions;
    await tab.c.dispose();
    for (let i = 0; app.core.services.realtime.activeSubscriptions >= before; i++) {
      if (i > 500) throw new Error('the tab was not released');
      await new Promise((r) => setTimeout(r, 10));
    }
    // The tab's removal is one Redis call made when the subscription ends.
    await new Promise((r) => setTimeout(r, 150));
  }
  const present = async (f: Fixture, p: Person = instructorOf(f)) =>
    (ok(await gql(app.url, COURSE_PRESENCE, { id: f.course.id }, p.token)).course.presence as Change[]).map((x) => [x.userId, x.state]);
  const statesOf = (s: Collector<Change>, userId: string) => s.items.filter((x) => x.userId === userId).map((x) => x.state);
  const waitState = async (s: Collector<Change>, userId: string, n: number) => {
    for (let i = 0; statesOf(s, userId).length < n; i++) {
      if (i > 1000) throw new Error(`waited for ${n} changes of ${userId}: ${JSON.stringify(s.items)} ${JSON.stringify(s.errors)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return statesOf(s, userId);
  };

  it('a subscribed tab makes its user ONLINE for the others; closing it makes them OFFLINE', async () => {
    const f = await seed(app.core, 'online');
    const lee = learnerOf(f);
    const watcher = await open(instructorOf(f), f.course.id);
    expect(await present(f)).toEqual([]);
    const tab = await open(lee, f.course.id, 'lee-tab-0001');
    expect(await waitState(watcher.s, lee.user.id, 1)).toEqual(['ONLINE']);
    const v1 = watcher.s.items[0]!.version;
    expect(v1).toBeGreaterThan(0);
    // The instructor watches without a tab: not present.
    expect(await present(f)).toEqual([[lee.user.id, 'ONLINE']]);
    expect(await present(f, lee)).toEqual([[lee.user.id, 'ONLINE']]);

    await close(tab);
    expect(await waitState(watcher.s, lee.user.id, 2)).toEqual(['ONLINE', 'OFFLINE']);
    expect(watcher.s.items[1]!.version).toBeGreaterThan(v1);
    expect(await present(f)).toEqual([]);
    expect(watcher.s.errors).toEqual([]);
    await watcher.c.dispose();
  });

  it('two tabs of one user: closing one keeps them ONLINE, closing both makes them OFFLINE', async () => {
    const f = await seed(app.core, 'tabs');
    const lee = learnerOf(f);
    const watcher = await open(instructorOf(f), f.course.id);
    const t1 = await open(lee, f.course.id, 'lee-tab-0001');
    await waitState(watcher.s, lee.user.id, 1);
    const t2 = await open(lee, f.course.id, 'lee-tab-0002');
    await close(t1);
    expect(await present(f)).toEqual([[lee.user.id, 'ONLINE']]);
    expect(statesOf(watcher.s, lee.user.id)).toEqual(['ONLINE']);
    await close(t2);
    expect(await waitState(watcher.s, lee.user.id, 2)).toEqual(['ONLINE', 'OFFLINE']);
    expect(await present(f)).toEqual([]);
    await watcher.c.dispose();
  });

  it('AWAY on the only tab makes the user AWAY; on one of two tabs, the user stays ONLINE', async () => {
    const f = await seed(app.core, 'away');
    const lee = learnerOf(f);
    const ana = await addMember(app.core, f, 'Ana Two Tabs');
    const watcher = await open(instructorOf(f), f.course.id);

    const only = await open(lee, f.course.id, 'lee-tab-only');
    await waitState(watcher.s, lee.user.id, 1);
    expect(ok(await gql(app.url, SET, { courseId: f.course.id, tabId: 'lee-tab-only', state: 'AWAY' }, lee.token)).setPresence).toBe(
      'AWAY',
    );
    expect(await waitState(watcher.s, lee.user.id, 2)).toEqual(['ONLINE', 'AWAY']);
    expect(await present(f)).toEqual([[lee.user.id, 'AWAY']]);
    expect(ok(await gql(app.url, SET, { courseId: f.course.id, tabId: 'lee-tab-only', state: 'ONLINE' }, lee.token)).setPresence).toBe(
      'ONLINE',
    );
    expect(await waitState(watcher.s, lee.user.id, 3)).toEqual(['ONLINE', 'AWAY', 'ONLINE']);

    const a1 = await open(ana, f.course.id, 'ana-tab-0001');
    const a2 = await open(ana, f.course.id, 'ana-tab-0002');
    await waitState(watcher.s, ana.user.id, 1);
    expect(ok(await gql(app.url, SET, { courseId: f.course.id, tabId: 'ana-tab-0001', state: 'AWAY' }, ana.token)).setPresence).toBe(
      'ONLINE',
    );
    expect((await present(f)).find(([id]) => id === ana.user.id)).toEqual([ana.user.id, 'ONLINE']);
    expect(ok(await gql(app.url, SET, { courseId: f.course.id, tabId: 'ana-tab-0002', state: 'AWAY' }, ana.token)).setPresence).toBe(
      'AWAY',
    );
    expect(await waitState(watcher.s, ana.user.id, 2)).toEqual(['ONLINE', 'AWAY']);

    // A tab is ONLINE or AWAY: leaving is closing the subscription.
    expect(code((await gql(app.url, SET, { courseId: f.course.id, tabId: 'ana-tab-0002', state: 'OFFLINE' }, ana.token)).body)).toBe(
      'BAD_USER_INPUT',
    );
    expect((await present(f)).find(([id]) => id === ana.user.id)).toEqual([ana.user.id, 'AWAY']);
    for (const t of [only, a1, a2, watcher]) await t.c.dispose();
  });

  it('refuses a bad tabId with BAD_USER_INPUT, and API keys cannot be present', async () => {
    const f = await seed(app.core, 'tabid');
    const lee = learnerOf(f);
    for (const tabId of ['short', 'has spaces in it', 'x'.repeat(65), 'tab/../../x']) {
      expect(code((await gql(app.url, SET, { courseId: f.course.id, tabId, state: 'ONLINE' }, lee.token)).body), tabId).toBe(
        'BAD_USER_INPUT',
      );
    }
    const c = wsClient(app.wsUrl, lee.token);
    const s = subscribe(c.client, PRESENCE, { courseId: f.course.id, tabId: 'bad tab' }, 'presence');
    await s.ended();
    expect(subCode(s.errors)).toBe('BAD_USER_INPUT');
    await c.client.dispose();
    expect(await present(f)).toEqual([]);

    const key = await apiKeyOf(app.core, f);
    expect(code((await gql(app.url, SET, { courseId: f.course.id, tabId: 'key-tab-0001', state: 'ONLINE' }, key)).body)).toBe('FORBIDDEN');
    expect(ok(await gql(app.url, COURSE_PRESENCE, { id: f.course.id }, key)).course.presence).toEqual([]);
  });

  it('a tab carries the section it shows: whereNow lists each present person with their sections', async () => {
    const f = await seed(app.core, 'where');
    const lee = learnerOf(f);
    const ana = await addMember(app.core, f, 'Ana Where');
    const { presence } = app.core.services;
    const where = async () =>
      (await presence.whereNow(f.course.id)).map((w) => [w.userId, w.state, w.sections] as const).sort((a, b) => a[0].localeCompare(b[0]));
    let seen: unknown;
    const until = (want: unknown) =>
      poll(
        async () => JSON.stringify((seen = await where())) === JSON.stringify(want),
        10_000,
        () => `whereNow: ${JSON.stringify(seen)}, wanted ${JSON.stringify(want)}`,
      );
    const watcher = await open(instructorOf(f), f.course.id);
    const { client: c1 } = wsClient(app.wsUrl, lee.token);
    const before = app.core.services.realtime.activeSubscriptions;
    subscribe(
      c1,
      `subscription($courseId: ID!, $tabId: String, $section: String) { presence(courseId: $courseId, tabId: $tabId, section: $section) { userId } }`,
      {
        courseId: f.course.id,
        tabId: 'lee-tab-chat',
        section: 'chat',
      },
      'presence',
    );
    await listening(app, before);
    await until([[lee.user.id, 'online', ['chat']]]);

    // The tab moves to the tutor; a second tab (setPresence alone) shows the live class; a tab without a section adds none.
    const set = (p: Person, tabId: string, state: string, section?: string) =>
      gql(app.url, SET_WHERE, { courseId: f.course.id, tabId, state, section }, p.token);
    expect(ok(await set(lee, 'lee-tab-chat', 'ONLINE', 'tutor')).setPresence).toBe('ONLINE');
    expect(ok(await set(lee, 'lee-tab-live', 'AWAY', 'live')).setPresence).toBe('ONLINE');
    expect(ok(await set(ana, 'ana-tab-none', 'AWAY')).setPresence).toBe('AWAY');
    const want = [
      [lee.user.id, 'online', ['live', 'tutor']],
      [ana.user.id, 'away', []],
    ].sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    await until(want);
    // Renewing a tab without a section keeps its section.
    expect(ok(await set(lee, 'lee-tab-chat', 'ONLINE')).setPresence).toBe('ONLINE');
    await until(want);

    // Section changes are not presence changes: the presence subscription got Lee ONLINE and Ana AWAY only.
    expect(await waitState(watcher.s, ana.user.id, 1)).toEqual(['AWAY']);
    expect(statesOf(watcher.s, lee.user.id)).toEqual(['ONLINE']);

    // Closing the chat tab takes its section with it (and Lee's one tab left is away).
    await c1.dispose();
    await until(
      [
        [lee.user.id, 'away', ['live']],
        [ana.user.id, 'away', []],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );

    for (const section of ['Chat', 'has space', 'x'.repeat(33), '../x', '']) {
      expect(code((await set(lee, 'lee-tab-live', 'ONLINE', section)).body), section).toBe('BAD_USER_INPUT');
    }
    const c = wsClient(app.wsUrl, lee.token);
    const s = subscribe(
      c.client,
      `subscription($courseId: ID!, $tabId: String, $section: String) { presence(courseId: $courseId, tabId: $tabId, section: $section) { userId } }`,
      {
        courseId: f.course.id,
        tabId: 'lee-tab-bad1',
        section: 'NOPE',
      },
      'presence',
    );
    await s.ended();
    expect(subCode(s.errors)).toBe('BAD_USER_INPUT');
    await c.client.dispose();
    await watcher.c.dispose();
  });

  it("a user of another tenant cannot see or join a course's presence (NOT_FOUND)", async () => {
    const f = await seed(app.core, 'tenantA');
    const other = await seed(app.core, 'tenantB');
    const tab = await open(learnerOf(f), f.course.id, 'lee-tab-0001');
    for (let i = 0; (await present(f)).length === 0; i++) {
      if (i > 200) throw new Error('never online');
      await new Promise((r) => setTimeout(r, 10));
    }
    for (const token of [other.learnerToken, other.instructorToken, await apiKeyOf(app.core, other)]) {
      const r = await gql(app.url, COURSE_PRESENCE, { id: f.course.id }, token);
      expect(code(r.body)).toBe('NOT_FOUND');
      expect(JSON.stringify(r.body)).not.toContain(f.learner.id);
      const c = wsClient(app.wsUrl, token);
      const s = subscribe(c.client, PRESENCE, { courseId: f.course.id }, 'presence');
      await s.ended();
      expect(subCode(s.errors)).toBe('NOT_FOUND');
      expect(s.items).toEqual([]);
      await c.client.dispose();
    }
    expect(code((await gql(app.url, SET, { courseId: f.course.id, tabId: 'intruder-01', state: 'ONLINE' }, other.learnerToken)).body)).toBe(
      'NOT_FOUND',
    );
    expect(await present(f)).toEqual([[f.learner.id, 'ONLINE']]);
    await tab.c.dispose();
  });
});
