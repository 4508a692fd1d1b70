/**
 * The course activity feed and the audit log, through GraphQL on PostgreSQL and on PGlite: who reads them (staff;
 * administrators for the tenant-wide log), what is recorded (joins, message volume, memberships, moderation, tutor
 * settings) with the values before and after, the live feed from the page's cursor with a per-event staff check,
 * the audit table refusing UPDATE and DELETE, and the CSV export (quoting, formula injection).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { gql, seed, startApp, subscribe, wsClient, type Fixture, type TestApp } from '../../test/harness.js';
import { CREATE_GROUP, DELETE, MUTE, UPDATE_ROOM, addMember, code, courseRoomId, learnerOf, ok, sendOk, subCode } from '../../test/chat.js';
import { upsertUser } from '../users/service.js';
import { users } from '../users/tables.js';
import { courses } from '../courses/tables.js';
import { auditLog } from './tables.js';
import { recordRecentMessageVolume } from './jobs.js';
import { csvCell, toCsv } from './csv.js';

const ENTRIES = `query($id: ID!, $first: Int, $after: String) { courseActivityEntries(courseId: $id, first: $first, after: $after) {
  cursor pageInfo { hasNextPage endCursor } edges { node { id type actorId actorName data createdAt } } } }`;
const FEED = `subscription($id: ID!, $after: String) { courseActivityFeed(courseId: $id, after: $after) { cursor entry { id type actorId actorName data } } }`;
const AUDIT = `query($courseId: ID, $entity: String, $first: Int, $after: String) { auditLog(courseId: $courseId, entity: $entity, first: $first, after: $after) {
  pageInfo { hasNextPage endCursor } edges { node { id entity entityId subjectName action actorId actorName apiKeyId before after createdAt } } } }`;
const CSV = `query($courseId: ID, $entity: String) { auditLogCsv(courseId: $courseId, entity: $entity) }`;
const TUTOR = `mutation($courseId: ID!, $daily: Int) { updateTutorSettings(courseId: $courseId, userDailyTokens: $daily) { userDailyTokens } }`;

type Entry = { id: string; type: string; actorId: string | null; actorName: string | null; data: Record<string, unknown> };
type Audit = {
  entity: string;
  entityId: string;
  subjectName: string | null;
  action: string;
  actorId: string | null;
  before: any;
  after: any;
};

/** A minimal RFC 4180 reader (quoted cells, doubled quotes, CRLF), to read the export back. */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const endCell = () => {
    row.push(cell);
    cell = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') endCell();
    else if (ch === '\r' && text[i + 1] === '\n') {
      endCell();
      rows.push(row);
      row = [];
      i++;
    } else cell += ch;
  }
  return rows;
}

describe('csv', () => {
  it('quotes what needs quoting and defuses formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"\nbye')).toBe('"say ""hi""\nbye"');
    for (const f of ['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1']) expect(csvCell(f).replace(/^"/, '').startsWith("'")).toBe(true);
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(toCsv(['a', 'b'], [['1', '2']])).toBe('a,b\r\n1,2\r\n');
  });
});

describe.each([
  { name: 'PostgreSQL', embedded: false },
  { name: 'PGlite', embedded: true },
])('activity and audit ($name)', ({ embedded }) => {
  let app: TestApp;
  let fx: Fixture;
  beforeAll(async () => {
    app = await startApp({ embedded, env: { RATE_LIMIT_WRITE: '100000/60', CHAT_RATE_LIMIT: '100000' } });
    fx = await seed(app.core, 'activity');
  });
  afterAll(async () => {
    await app?.close();
  });

  const entries = async (token: string, first = 50, after?: string) =>
    ok(await gql(app.url, ENTRIES, { id: fx.course.id, first, after }, token)).courseActivityEntries;
  const audits = async (entity?: string, token = fx.instructorToken) =>
    ok(await gql(app.url, AUDIT, { courseId: fx.course.id, entity, first: 100 }, token)).auditLog.edges.map(
      (e: { node: Audit }) => e.node,
    ) as Audit[];

  it('joins are in the feed, newest first and paginated; staff only; another tenant answers NOT_FOUND', async () => {
    const ana = await addMember(app.core, fx, 'Ana Joiner');
    const page = await entries(fx.instructorToken);
    const joins = page.edges.map((e: { node: Entry }) => e.node).filter((e: Entry) => e.type === 'member.joined');
    // Newest first: Ana, then the learner and the instructor of the seed.
    expect(joins.map((e: Entry) => e.actorId)).toEqual([ana.user.id, fx.learner.id, fx.instructor.id]);
    expect(joins[0]).toMatchObject({ actorName: 'Ana Joiner', data: { roles: ['learner'] } });
    const one = await entries(fx.instructorToken, 1);
    expect(one.pageInfo.hasNextPage).toBe(true);
    const two = await entries(fx.instructorToken, 1, one.pageInfo.endCursor);
    expect(two.edges[0].node.id).not.toBe(one.edges[0].node.id);
    expect(two.edges[0].node.id).toBe(page.edges[1].node.id);

    expect(code((await gql(app.url, ENTRIES, { id: fx.course.id }, fx.learnerToken)).body)).toBe('FORBIDDEN');
    expect(code((await gql(app.url, AUDIT, { courseId: fx.course.id }, fx.learnerToken)).body)).toBe('FORBIDDEN');
    expect(code((await gql(app.url, CSV, { courseId: fx.course.id }, fx.learnerToken)).body)).toBe('FORBIDDEN');
    // The tenant-wide log is for LMS administrators.
    expect(code((await gql(app.url, AUDIT, {}, fx.instructorToken)).body)).toBe('FORBIDDEN');
    const admin = await addMember(app.core, fx, 'Ann Admin', ['administrator']);
    const all = ok(await gql(app.url, AUDIT, { first: 100 }, admin.token)).auditLog.edges.map((e: { node: Audit }) => e.node) as Audit[];
    expect(all.map((a) => a.subjectName)).toEqual(expect.arrayContaining(['Ann Admin', 'Ana Joiner']));
    const other = await seed(app.core, 'activity-other');
    expect(code((await gql(app.url, ENTRIES, { id: fx.course.id }, other.instructorToken)).body)).toBe('NOT_FOUND');
    expect(code((await gql(app.url, AUDIT, { courseId: fx.course.id }, other.instructorToken)).body)).toBe('NOT_FOUND');
  });

  it('memberships are audited: joins, role changes and removals, with the values before and after', async () => {
    const tom = await addMember(app.core, fx, 'Tom Promoted');
    await app.core.services.courses.setMembership(fx.tenant.id, fx.course.id, tom.user.id, ['teaching_assistant']);
    await app.core.services.courses.removeMembership(fx.tenant.id, fx.course.id, tom.user.id);
    const mine = (await audits('membership')).filter((a) => a.entityId === tom.user.id);
    expect(mine.map((a) => a.action)).toEqual(['removed', 'roles_changed', 'joined']);
    expect(mine[1]).toMatchObject({
      actorId: null,
      subjectName: 'Tom Promoted',
      before: { roles: ['learner'] },
      after: { roles: ['teaching_assistant'] },
    });
    expect(mine[0]).toMatchObject({ before: { status: 'active' }, after: { status: 'removed' } });
  });

  it('moderation and tutor budgets are audited, by whom, before and after; a deleted message leaves no text', async () => {
    const lee = learnerOf(fx);
    const room = ok(
      await gql(app.url, CREATE_GROUP, { courseId: fx.course.id, name: 'Group A', memberIds: [lee.user.id] }, fx.instructorToken),
    ).createGroupRoom.id as string;
    ok(await gql(app.url, UPDATE_ROOM, { id: room, name: 'Group B' }, fx.instructorToken));
    ok(await gql(app.url, UPDATE_ROOM, { id: room, archived: true }, fx.instructorToken));
    const courseRoom = await courseRoomId(app, fx.instructorToken, fx.course.id);
    ok(await gql(app.url, MUTE, { roomId: courseRoom, userId: lee.user.id, muted: true }, fx.instructorToken));
    ok(await gql(app.url, MUTE, { roomId: courseRoom, userId: lee.user.id, muted: false }, fx.instructorToken));
    const msg = await sendOk(app, lee.token, courseRoom, 'a secret that must go');
    ok(await gql(app.url, DELETE, { id: msg.id }, fx.instructorToken));
    ok(await gql(app.url, TUTOR, { courseId: fx.course.id, daily: 0 }, fx.instructorToken));

    const rooms = (await audits('room')).filter((a) => a.entityId === room);
    expect(rooms.map((a) => a.action)).toEqual(['archived', 'renamed']);
    expect(rooms[1]).toMatchObject({ actorId: fx.instructor.id, before: { name: 'Group A' }, after: { name: 'Group B' } });
    expect(rooms[0]).toMatchObject({ before: { archived: false }, after: { archived: true } });
    const mutes = await audits('room_member');
    expect(mutes.map((a) => [a.entityId, a.action, a.before.muted, a.after.muted])).toEqual([
      [`${courseRoom}:${lee.user.id}`, 'unmuted', true, false],
      [`${courseRoom}:${lee.user.id}`, 'muted', false, true],
    ]);
    const deleted = await audits('message');
    expect(deleted).toEqual([expect.objectContaining({ entityId: msg.id, action: 'deleted_by_moderator', actorId: fx.instructor.id })]);
    expect(JSON.stringify(deleted)).not.toContain('secret');
    const tutor = await audits('tutor_settings');
    expect(tutor).toEqual([expect.objectContaining({ action: 'budgets_changed', after: expect.objectContaining({ userDailyTokens: 0 }) })]);
    expect(tutor[0]!.before.userDailyTokens).toBeGreaterThan(0);
    // The author deleting their own message is not moderation.
    const own = await sendOk(app, lee.token, courseRoom, 'mine');
    ok(await gql(app.url, DELETE, { id: own.id }, lee.token));
    expect((await audits('message')).length).toBe(1);
  });

  it('the audit log is append-only: UPDATE and DELETE fail in the database itself; deleting a user or a course still works', async () => {
    const { db } = app.core.services.database;
    const before = (await audits()).length;
    expect(before).toBeGreaterThan(0);
    await expect(db.execute(sql`update audit_log set action = 'forged' where course_id = ${fx.course.id}`)).rejects.toThrow();
    await expect(db.execute(sql`delete from audit_log where course_id = ${fx.course.id}`)).rejects.toThrow();
    const after = await audits();
    expect(after.length).toBe(before);
    expect(after.some((a) => a.action === 'forged')).toBe(false);

    // What the foreign keys do still happens: deleting a user forgets them as the actor, deleting a course its log.
    const other = await seed(app.core, 'activity-erase');
    ok(await gql(app.url, TUTOR, { courseId: other.course.id, daily: 0 }, other.instructorToken));
    const of = (courseId: string) => db.select().from(auditLog).where(eq(auditLog.courseId, courseId));
    expect((await of(other.course.id)).some((a) => a.actorId === other.instructor.id)).toBe(true);
    await db.delete(users).where(eq(users.id, other.instructor.id));
    expect((await of(other.course.id)).some((a) => a.actorId === other.instructor.id)).toBe(false);
    expect((await of(other.course.id)).length).toBeGreaterThan(0);
    await db.delete(courses).where(eq(courses.id, other.course.id));
    expect(await of(other.course.id)).toEqual([]);
  });

  it('the CSV export quotes cells and defuses formulas in what people typed', async () => {
    // An instructor whose LMS name is a formula, with a comma and quotes.
    const evil = await upsertUser(app.core.services.database.db, {
      tenantId: fx.tenant.id,
      subject: `evil-${Date.now()}`,
      name: '=HYPERLINK("http://evil.example","click, me")',
    });
    await app.core.services.courses.setMembership(fx.tenant.id, fx.course.id, evil.id, ['instructor']);
    const token = await app.core.services.sessions.issue({
      tenantId: fx.tenant.id,
      userId: evil.id,
      courseId: fx.course.id,
      roles: ['instructor'],
    });
    ok(await gql(app.url, TUTOR, { courseId: fx.course.id, daily: null }, token));
    const csv = ok(await gql(app.url, CSV, { courseId: fx.course.id, entity: 'tutor_settings' }, fx.instructorToken)).auditLogCsv as string;
    const rows = readCsv(csv);
    expect(rows[0]).toEqual([
      'time',
      'course_id',
      'actor',
      'actor_id',
      'api_key_id',
      'entity',
      'entity_id',
      'subject',
      'action',
      'before',
      'after',
    ]);
    const mine = rows.find((r) => r[3] === evil.id)!;
    expect(mine[2]).toBe(`'=HYPERLINK("http://evil.example","click, me")`);
    expect(mine[5]).toBe('tutor_settings');
    expect(JSON.parse(mine[10]!)).toMatchObject({ userDailyTokens: expect.any(Number) });
    expect(rows.every((r) => r.length === 11)).toBe(true);
  });

  it('message volume: one messages.hourly entry per course and hour with messages, recorded once', async () => {
    const room = await courseRoomId(app, fx.instructorToken, fx.course.id);
    for (let i = 0; i < 3; i++) await sendOk(app, fx.learnerToken, room, `hello ${i}`);
    // As the periodic job runs an hour later: the hour that held them is complete.
    const later = Date.now() + 3_600_000;
    expect(await recordRecentMessageVolume(app.core.services, later)).toBeGreaterThanOrEqual(1);
    expect(await recordRecentMessageVolume(app.core.services, later)).toBe(0);
    const hourly = (await entries(fx.instructorToken, 100)).edges
      .map((e: { node: Entry }) => e.node)
      .filter((e: Entry) => e.type === 'messages.hourly');
    const total = hourly.reduce((n: number, e: Entry) => n + Number(e.data.count), 0);
    // The messages of the earlier tests and these three (system messages aside).
    expect(total).toBeGreaterThanOrEqual(3);
    expect(new Set(hourly.map((e: Entry) => e.data.from)).size).toBe(hourly.length);
  });

  it('follows live from the page cursor; learners are refused; staff who lose the role stop receiving', async () => {
    const tam = await addMember(app.core, fx, 'Tam Assistant', ['teaching_assistant']);
    const { cursor } = await entries(fx.instructorToken, 1);
    const ws = wsClient(app.wsUrl, fx.instructorToken);
    const wsTa = wsClient(app.wsUrl, tam.token);
    const wsLearner = wsClient(app.wsUrl, fx.learnerToken);
    try {
      const feed = subscribe<{ cursor: string; entry: Entry }>(ws.client, FEED, { id: fx.course.id, after: cursor }, 'courseActivityFeed');
      const taFeed = subscribe<{ entry: Entry }>(wsTa.client, FEED, { id: fx.course.id }, 'courseActivityFeed');
      const refused = subscribe(wsLearner.client, FEED, { id: fx.course.id }, 'courseActivityFeed');
      await refused.ended();
      expect(subCode(refused.errors)).toBe('FORBIDDEN');
      // Committed between the page and the subscription: still arrives, once.
      const kim = await addMember(app.core, fx, 'Kim Late');
      const [got] = await feed.waitFor(1);
      expect(got!.entry).toMatchObject({ type: 'member.joined', actorId: kim.user.id, actorName: 'Kim Late' });
      await taFeed.waitFor(1);
      // Tam is made a learner: the next event ends Tam's feed instead of reaching it.
      await app.core.services.courses.setMembership(fx.tenant.id, fx.course.id, tam.user.id, ['learner']);
      await addMember(app.core, fx, 'Lou Later');
      await feed.waitFor(2);
      await taFeed.ended();
      expect(subCode(taFeed.errors)).toBe('FORBIDDEN');
      expect(taFeed.items.map((i) => i.entry.actorName)).not.toContain('Lou Later');
      expect(feed.items.map((i) => i.entry.actorName)).toEqual(['Kim Late', 'Lou Later']);
    } finally {
      await Promise.allSettled([ws.client.dispose(), wsTa.client.dispose(), wsLearner.client.dispose()]);
    }
  });
});
