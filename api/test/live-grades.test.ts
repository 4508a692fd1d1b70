/**
 * Attendance grades of live classes, end to end against the development platform (Moodle profile) through real LTI
 * launches and the real BullMQ worker: classes deep-linked as graded activities (resource links with line items),
 * three learners (two who attend differently, one known from the roster who never comes), the class run on a
 * controllable clock, ended by the instructor → one score per student and line item reaches the gradebook with the
 * policy's value (threshold, proportional); a post the platform refuses is retried by the worker and accepted; a
 * corrected attendance is posted again (a later timestamp) and the gradebook's result changes; a post refused for
 * good shows FAILED and is queued again by retryLivePassback; a learner sees only their own row; the CSV has a row
 * per student. Then the ungraded path (scores kept, no passback), corrections' checks and who may do what, on
 * PostgreSQL and on PGlite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type WorkerHandle } from '@lt/jobs';
import { makeUser, type LtiPlatform } from '@lt/lti-tool';
import { gql, seed, startApp, type Fixture, type TestApp } from './harness.js';
import { runLaunch, startLtiEnv, until, type LtiEnv } from './lti-harness.js';
import { LiveService } from '../src/live/service.js';
import { LiveGradeService } from '../src/live/grades.js';
import { createQueue } from '../src/queue/queues.js';
import type { Services } from '../src/services.js';
import type { Viewer } from '../src/auth/viewer.js';
import { upsertUser } from '../src/users/service.js';

const MIN = 60_000;
const HEARTBEAT = 20_000;

/** A LiveService and LiveGradeService of the app's database, realtime and LTI, on a clock the test moves. */
function clocked(s: Services, start: number) {
  let now = start;
  const clock = () => new Date(now);
  const live = new LiveService({
    db: s.database.db,
    realtime: s.realtime,
    access: s.access,
    liveAccess: s.live.access,
    rooms: s.rooms,
    schedule: s.schedule,
    lti: s.lti,
    bbb: null,
    config: { liveGraceSeconds: s.config.liveGraceSeconds, liveHeartbeatSeconds: s.config.liveHeartbeatSeconds },
    activity: s.activity,
    log: s.log,
    clock,
  });
  const grades = new LiveGradeService({
    db: s.database.db,
    realtime: s.realtime,
    liveAccess: s.live.access,
    courses: s.courses,
    lti: s.lti,
    live,
    activity: s.activity,
    graceSeconds: s.config.liveGraceSeconds,
    log: s.log,
    clock,
  });
  return {
    live,
    grades,
    at: (t: number) => {
      now = t;
    },
    /** Moves the clock by `ms` in heartbeat steps, each person in `present` sending one per step. */
    async stay(classId: string, ms: number, present: Viewer[]) {
      for (let t = 0; t < ms; t += HEARTBEAT) {
        now += Math.min(HEARTBEAT, ms - t);
        for (const v of present) await live.heartbeat(v, classId);
      }
    },
  };
}

/** A minute boundary a day ahead of the real clock (the app's presence sweep, on the real clock, leaves it alone). */
const ahead = (days: number) => Math.ceil((Date.now() + days * 24 * 3600_000) / MIN) * MIN;

/**
 * Runs a class of 50 scheduled minutes: A joins 5 minutes early and stays until +47 (47 minutes counted), B joins
 * at the start, drops at +20 (no more heartbeats: a timeout), comes back at +25 and leaves at +40 (35 minutes), C
 * never comes. The host ends it at +50. Returns the class id.
 */
async function runClass(
  c: ReturnType<typeof clocked>,
  host: Viewer,
  a: Viewer,
  b: Viewer,
  courseId: string,
  base: number,
  input: { title: string; policy: 'threshold' | 'proportional'; thresholdPercent?: number; gradeLinkId?: string },
  beforeEnd?: () => void,
): Promise<string> {
  const startsAt = base + 10 * MIN;
  c.at(base);
  const cls = await c.live.create(host, courseId, {
    ...input,
    startsAt: new Date(startsAt),
    endsAt: new Date(startsAt + 50 * MIN),
    meetingUrl: 'https://meet.example.org/live-grades',
  });
  c.at(startsAt - 5 * MIN);
  await c.live.start(host, cls.id);
  await c.live.join(a, cls.id);
  await c.stay(cls.id, 5 * MIN, [a]);
  await c.live.join(b, cls.id);
  await c.stay(cls.id, 20 * MIN, [a, b]);
  await c.stay(cls.id, 5 * MIN, [a]);
  await c.live.join(b, cls.id);
  await c.stay(cls.id, 15 * MIN, [a, b]);
  await c.live.leave(b, cls.id);
  await c.stay(cls.id, 7 * MIN, [a]);
  await c.live.leave(a, cls.id);
  c.at(startsAt + 50 * MIN);
  beforeEnd?.();
  await c.live.end(host, cls.id);
  return cls.id;
}

const ATTENDANCE = `query($id: ID!) { liveClass(id: $id) {
  attendance { userId userName role minutesPresent measuredMinutes correctedMinutes scheduledMinutes joins score passback passbackError passbackAt }
  myAttendance { userId minutesPresent scheduledMinutes joins score passback }
} }`;
const CORRECT = `mutation($c: ID!, $u: ID!, $m: Int, $n: String) { correctLiveAttendance(classId: $c, userId: $u, minutes: $m, note: $n) {
  userId minutesPresent measuredMinutes correctedMinutes score passback } }`;
const CSV = `query($id: ID!) { liveClass(id: $id) { attendanceCsv } }`;

/** Scores the platform accepted (and refused) on a line item, by the LMS's user id. */
function received(platform: LtiPlatform, lineItemId: string) {
  const on = platform.received.scores.filter((s) => new URL(s.url).pathname.endsWith(`/lineitems/${lineItemId}/lineitem/scores`));
  const accepted = new Map<string, any[]>();
  for (const s of on.filter((x) => x.status === 200)) accepted.set(s.body.userId, [...(accepted.get(s.body.userId) ?? []), s.body]);
  return { accepted, refused: on.filter((s) => s.status !== 200) };
}

describe('attendance grades through AGS (development platform, real worker)', () => {
  let env: LtiEnv;
  let worker: WorkerHandle;
  let s: Services;
  let courseId: string;
  let instToken: string;
  let tokens: { a: string; b: string };
  const people = {
    inst: makeUser('moodle', 501, 'Ada', 'Host', 'instructor'),
    a: makeUser('moodle', 502, 'Alan', 'Present', 'learner'),
    b: makeUser('moodle', 503, 'Barbara', 'Partly', 'learner'),
    c: makeUser('moodle', 504, 'Carl', 'Absent', 'learner'),
  };
  const ids: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' };
  let contextId: string;

  beforeAll(async () => {
    env = await startLtiEnv('moodle', { env: { RATE_LIMIT_WRITE: '100000/10' } });
    worker = await startWorker(env.app.core);
    s = env.app.core.services;
    // A course of its own: the instructor and three learners; two graded activities (the default one, and another).
    const course = env.platform.addCourse({ label: 'LIVE1', title: 'Live grades', members: Object.values(people) });
    course.lineItems.push({ id: '9001', label: 'Live class attendance (proportional)', scoreMaximum: 100, resourceLinkId: 'live-prop' });
    course.activities.push({ resourceLinkId: 'live-prop', title: 'Live class attendance (proportional)', lineItemId: '9001' });
    contextId = course.id;
    // The instructor launches through both graded links (the tool learns each line item); the roster sync that follows
    // brings in C, who never launches.
    for (const link of course.activities) {
      const r = await runLaunch(env, { user: people.inst, contextId, resourceLink: { id: link.resourceLinkId } });
      expect(r.error).toBeUndefined();
      instToken = r.token!;
      courseId = r.redirect!.split('/')[2]!;
    }
    const la = await runLaunch(env, { user: people.a, contextId });
    const lb = await runLaunch(env, { user: people.b, contextId });
    tokens = { a: la.token!, b: lb.token! };
    await until(async () => {
      const r = await gql(env.app.url, `query($id: ID!) { course(id: $id) { rosterSync { status } } }`, { id: courseId }, instToken);
      return r.body.data?.course?.rosterSync?.status === 'DONE' ? true : null;
    }, 30_000);
    const { db } = s.database;
    const { users } = await import('../src/users/tables.js');
    const all = await db.select({ id: users.id, subject: users.subject }).from(users);
    for (const k of ['a', 'b', 'c'] as const) ids[k] = all.find((u) => u.subject === people[k].id)!.id;
  });
  afterAll(async () => {
    await worker?.close();
    await env?.close();
  });

  const viewer = async (token: string) => (await s.auth.authenticate(`Bearer ${token}`))!;
  const attendance = async (classId: string, token = instToken) => {
    const r = await gql(env.app.url, ATTENDANCE, { id: classId }, token);
    expect(r.body.errors).toBeUndefined();
    return r.body.data.liveClass as { attendance: any[]; myAttendance: any };
  };
  const allPosted = (classId: string) =>
    until(async () => {
      const rows = (await attendance(classId)).attendance.filter((r) => r.role === 'PARTICIPANT');
      return rows.length === 3 && rows.every((r) => r.passback === 'POSTED') ? rows : null;
    }, 60_000);

  it('ends a graded class: one score per student reaches the gradebook (threshold and proportional); a refused post is retried', async () => {
    const links = await gql(env.app.url, `query($id: ID!) { liveGradeLinks(courseId: $id) { id title } }`, { id: courseId }, instToken);
    const linkOf = (title: string) => links.body.data.liveGradeLinks.find((l: any) => l.title === title)!.id as string;
    const c = clocked(s, ahead(1));
    const [host, a, b] = await Promise.all([viewer(instToken), viewer(tokens.a), viewer(tokens.b)]);

    // Threshold 80 % of 50 minutes; the first score post is refused once (503) and retried by the worker.
    const threshold = await runClass(
      c,
      host,
      a,
      b,
      courseId,
      ahead(1),
      { title: 'Threshold class', policy: 'threshold', thresholdPercent: 80, gradeLinkId: linkOf('Week 1: Hello, world') },
      () => env.platform.failScores(1, 503),
    );
    const rows = await allPosted(threshold);
    const by = (id: string) => rows.find((r) => r.userId === id);
    expect(by(ids.a)).toMatchObject({
      minutesPresent: 47,
      measuredMinutes: 47,
      scheduledMinutes: 50,
      joins: 1,
      score: 100,
      passbackError: null,
    });
    expect(by(ids.b)).toMatchObject({ minutesPresent: 35, scheduledMinutes: 50, joins: 2, score: 0 });
    expect(by(ids.c)).toMatchObject({ minutesPresent: 0, joins: 0, score: 0 });
    expect(rows.every((r) => r.passbackAt !== null)).toBe(true);
    const item1 = env.platform.course(contextId).activities[0]!.lineItemId!;
    const t = received(env.platform, item1);
    expect(t.refused).toHaveLength(1);
    expect(t.refused[0]!.status).toBe(503);
    expect([...t.accepted.keys()].sort()).toEqual([people.a.id, people.b.id, people.c.id].sort());
    for (const list of t.accepted.values()) expect(list).toHaveLength(1);
    expect(t.accepted.get(people.a.id)![0]).toMatchObject({ scoreGiven: 100, scoreMaximum: 100, comment: 'Present 47 of 50 minutes' });
    expect(t.accepted.get(people.b.id)![0]).toMatchObject({ scoreGiven: 0, comment: 'Present 35 of 50 minutes' });
    expect(env.platform.result(item1, people.a.id, contextId)).toMatchObject({ resultScore: 100, resultMaximum: 100 });
    // Told again that the class ended: nothing is queued twice.
    expect(await c.grades.classEnded(threshold)).toBe(0);

    // Proportional, the same attendance, the other graded activity.
    const proportional = await runClass(c, host, a, b, courseId, ahead(2), {
      title: 'Proportional class',
      policy: 'proportional',
      gradeLinkId: linkOf('Live class attendance (proportional)'),
    });
    const prows = await allPosted(proportional);
    expect(prows.map((r) => [r.userId, r.score]).sort()).toEqual(
      [
        [ids.a, 94],
        [ids.b, 70],
        [ids.c, 0],
      ].sort(),
    );
    const p = received(env.platform, '9001');
    expect(p.refused).toHaveLength(0);
    expect([...p.accepted.values()].map((l) => l.length)).toEqual([1, 1, 1]);
    expect(env.platform.result('9001', people.b.id, contextId)).toMatchObject({ resultScore: 70 });

    // A learner sees their own row only, not the CSV, and cannot correct.
    const mine = await attendance(threshold, tokens.a);
    expect(mine.attendance).toEqual([expect.objectContaining({ userId: ids.a, minutesPresent: 47, scheduledMinutes: 50 })]);
    expect(mine.myAttendance).toMatchObject({
      userId: ids.a,
      minutesPresent: 47,
      scheduledMinutes: 50,
      joins: 1,
      score: 100,
      passback: 'POSTED',
    });
    expect((await gql(env.app.url, CSV, { id: threshold }, tokens.a)).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const denied = await gql(env.app.url, CORRECT, { c: threshold, u: ids.a, m: 50 }, tokens.b);
    expect(denied.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // The CSV: a row per student (and nobody else: the host never joined).
    const csv = (await gql(env.app.url, CSV, { id: threshold }, instToken)).body.data.liveClass.attendanceCsv as string;
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'Name,LTI user id,Role,Minutes present,Measured minutes,Corrected minutes,Scheduled minutes,Joins,First join,Last leave,Score,Passback,Passback error,Correction note',
    );
    expect(lines).toHaveLength(4);
    expect(lines.find((l) => l.startsWith('Alan Present,'))).toMatch(
      new RegExp(`^Alan Present,${people.a.id},participant,47,47,,50,1,[^,]+,[^,]+,100,posted,,$`),
    );
    expect(lines.find((l) => l.startsWith('Carl Absent,'))).toMatch(/,participant,0,0,,50,0,,,0,posted,,$/);
  });

  it('a corrected attendance is posted again and the gradebook changes; a post refused for good is FAILED, then retried', async () => {
    const classes = await gql(
      env.app.url,
      `query($id: ID!) { course(id: $id) { liveClasses { classes { id title } } } }`,
      { id: courseId },
      instToken,
    );
    const idOf = (title: string) => classes.body.data.course.liveClasses.classes.find((x: any) => x.title === title).id as string;
    const threshold = idOf('Threshold class');
    const item1 = env.platform.course(contextId).activities[0]!.lineItemId!;
    const before = env.platform.result(item1, people.b.id, contextId)!;
    expect(before.resultScore).toBe(0);

    // B was in the meeting by phone: 45 minutes → full credit under the threshold, posted as version 2.
    const r = await gql(env.app.url, CORRECT, { c: threshold, u: ids.b, m: 45, n: 'Joined by phone' }, instToken);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.correctLiveAttendance).toMatchObject({
      userId: ids.b,
      minutesPresent: 45,
      measuredMinutes: 35,
      correctedMinutes: 45,
      score: 100,
    });
    expect(['QUEUED', 'POSTED']).toContain(r.body.data.correctLiveAttendance.passback);
    const after = await until(async () => {
      const res = env.platform.result(item1, people.b.id, contextId);
      return res && res.resultScore === 100 ? res : null;
    }, 30_000);
    expect(Date.parse(after.timestamp)).toBeGreaterThan(Date.parse(before.timestamp));
    expect(after.comment).toBe('Present 45 of 50 minutes');
    expect(received(env.platform, item1).accepted.get(people.b.id)).toHaveLength(2);
    await allPosted(threshold);
    const audit = await s.activity.audit(await viewer(instToken), { courseId, entity: 'live_attendance' }, { first: 10 });
    expect(audit.edges.map((e) => [e.node.entityId, e.node.action, e.node.after])).toEqual([
      [`${threshold}:${ids.b}`, 'correct', { minutes: 45, note: 'Joined by phone' }],
    ]);

    // Refused for good: every attempt of C's re-post is refused (the test fast-forwards BullMQ's backoff; the real
    // worker makes each attempt), the row shows FAILED with the platform's error, and retryLivePassback queues it again.
    env.platform.failScores(1000, 503);
    const corrected = await gql(env.app.url, CORRECT, { c: threshold, u: ids.c, m: 45 }, instToken);
    expect(corrected.body.data.correctLiveAttendance).toMatchObject({ score: 100, passback: 'QUEUED' });
    const cfg = env.app.core.config;
    const queue = createQueue('lti', cfg.redisUrl, cfg.queuePrefix, s.log);
    try {
      const jobId = `live-${threshold}-${ids.c}-2`;
      await until(async () => {
        const job = await queue.getJob(jobId);
        const state = await job?.getState();
        if (state === 'failed') return true;
        if (state === 'delayed') await job!.promote();
        return null;
      }, 60_000);
      const failed = await until(async () => {
        const row = (await attendance(threshold)).attendance.find((x) => x.userId === ids.c);
        return row?.passback === 'FAILED' ? row : null;
      }, 30_000);
      expect(failed.passbackError).toMatch(/503|unavailable/i);
      env.platform.failScores(0);
      const retried = await gql(env.app.url, `mutation($c: ID!) { retryLivePassback(classId: $c) }`, { c: threshold }, instToken);
      expect(retried.body.data.retryLivePassback).toBe(1);
      await allPosted(threshold);
      expect(env.platform.result(item1, people.c.id, contextId)).toMatchObject({ resultScore: 100 });
      expect(await queue.getJob(`live-${threshold}-${ids.c}-3`)).toBeTruthy();

      // A late retry of an older version is not posted: A's re-post (version 2) is refused once and waits for its
      // retry; meanwhile a newer correction (version 3) is posted; then the old retry runs and posts nothing.
      const acceptedBefore = received(env.platform, item1).accepted.get(people.a.id)!.length;
      env.platform.failScores(1, 503);
      await gql(env.app.url, CORRECT, { c: threshold, u: ids.a, m: 40 }, instToken);
      const old = await until(async () => {
        const job = await queue.getJob(`live-${threshold}-${ids.a}-2`);
        return (await job?.getState()) === 'delayed' ? job! : null;
      }, 30_000);
      await gql(env.app.url, CORRECT, { c: threshold, u: ids.a, m: 50 }, instToken);
      await until(
        async () => (env.platform.result(item1, people.a.id, contextId)?.comment === 'Present 50 of 50 minutes' ? true : null),
        30_000,
      );
      await old.promote();
      await until(async () => ((await old.getState()) === 'completed' ? true : null), 30_000);
      expect((await queue.getJob(old.id!))!.returnvalue).toEqual({ skipped: 'superseded' });
      expect(received(env.platform, item1).accepted.get(people.a.id)).toHaveLength(acceptedBefore + 1);
      expect(env.platform.result(item1, people.a.id, contextId)).toMatchObject({ comment: 'Present 50 of 50 minutes' });
      const rowA = (await attendance(threshold)).attendance.find((x) => x.userId === ids.a);
      expect(rowA).toMatchObject({ correctedMinutes: 50, passback: 'POSTED', passbackError: null });
    } finally {
      await queue.close();
    }
  });
});

for (const db of ['postgres', 'pglite'] as const) {
  describe(`attendance of an ungraded class (${db})`, () => {
    let app: TestApp;
    let f: Fixture;
    beforeAll(async () => {
      app = await startApp({ embedded: db === 'pglite', env: { RATE_LIMIT_WRITE: '100000/10' } });
      f = await seed(app.core);
    });
    afterAll(async () => {
      await app?.close();
    });

    it('scores without passback, corrections checked and audited, hosts only', async () => {
      const s = app.core.services;
      const c = clocked(s, ahead(3));
      const host = (await s.auth.authenticate(`Bearer ${f.instructorToken}`))!;
      const learner = (await s.auth.authenticate(`Bearer ${f.learnerToken}`))!;
      // Another learner of the course, who never comes.
      const other = await upsertUser(s.database.db, { tenantId: f.tenant.id, subject: `other-${f.course.id}`, name: 'Zoe Elsewhere' });
      await s.courses.setMembership(f.tenant.id, f.course.id, other.id, ['learner']);
      const startsAt = ahead(3) + 10 * MIN;
      c.at(ahead(3));
      const cls = await c.live.create(host, f.course.id, {
        title: 'Ungraded',
        startsAt: new Date(startsAt),
        endsAt: new Date(startsAt + 30 * MIN),
        policy: 'proportional',
        meetingUrl: 'https://meet.example.org/ungraded',
      });
      // Before it starts: nothing to correct.
      const early = c.grades.correct(host, cls.id, f.learner.id, 10, null);
      await expect(early).rejects.toMatchObject({ extensions: { code: 'CLASS_NOT_LIVE' } });
      c.at(startsAt);
      await c.live.start(host, cls.id);
      await c.live.join(learner, cls.id);
      await c.stay(cls.id, 12 * MIN, [learner]);
      // Live: the learner is present, 12 minutes so far, no score yet; the learner who has not come is listed with 0.
      const live = await c.grades.report(host, cls.id);
      expect(live).toEqual([
        expect.objectContaining({ userId: f.learner.id, present: true, measuredMinutes: 12, joins: 1, score: null, passbackState: 'none' }),
        expect.objectContaining({ userId: other.id, present: false, measuredMinutes: 0, joins: 0, score: null }),
      ]);
      // A correction while live: an admitted person only (an admission row would let the other act without joining).
      expect(await c.grades.correct(host, cls.id, f.learner.id, 5, null)).toMatchObject({ correctedMinutes: 5, score: null });
      await expect(c.grades.correct(host, cls.id, other.id, 5, null)).rejects.toMatchObject({ extensions: { code: 'NOT_JOINED' } });
      expect(await c.grades.correct(host, cls.id, f.learner.id, null, null)).toMatchObject({ correctedMinutes: null });
      await c.live.leave(learner, cls.id);
      c.at(startsAt + 30 * MIN);
      await c.live.end(host, cls.id);
      const [row] = await c.grades.report(learner, cls.id);
      expect(row).toMatchObject({ measuredMinutes: 12, scheduledMinutes: 30, score: 40, passbackState: 'none', present: false });
      expect(await c.grades.mine(learner, cls.id)).toEqual(row);
      expect((await c.grades.report(host, cls.id)).find((r) => r.userId === other.id)).toMatchObject({
        measuredMinutes: 0,
        joins: 0,
        score: 0,
      });
      expect(await c.grades.correct(host, cls.id, other.id, 3, null)).toMatchObject({ correctedMinutes: 3, score: 10 });

      // Bad input, each with its code; nothing written.
      for (const [minutes, userId, code] of [
        [31, f.learner.id, 'BAD_USER_INPUT'],
        [-1, f.learner.id, 'BAD_USER_INPUT'],
        [10, 'not-a-uuid', 'NOT_FOUND'],
        [10, f.instructor.id, 'NOT_FOUND'], // neither admitted nor a learner
      ] as const)
        await expect(c.grades.correct(host, cls.id, userId, minutes, null)).rejects.toMatchObject({ extensions: { code } });
      await expect(c.grades.correct(host, cls.id, f.learner.id, 10, 'a\u0000b')).rejects.toMatchObject({
        extensions: { code: 'BAD_USER_INPUT', field: 'note' },
      });
      await expect(c.grades.correct(learner, cls.id, f.learner.id, 30, null)).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
      await expect(c.grades.retryFailed(learner, cls.id)).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
      await expect(c.grades.csv(learner, cls.id)).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
      expect((await c.grades.report(host, cls.id))[0]).toMatchObject({ correctedMinutes: null, score: 40 });

      // A correction (then its undo) recomputes the score; nothing is queued for an ungraded class.
      expect(await c.grades.correct(host, cls.id, f.learner.id, 27, '  Came in  late ')).toMatchObject({
        correctedMinutes: 27,
        measuredMinutes: 12,
        score: 90,
        passbackState: 'none',
      });
      expect(await c.grades.csv(host, cls.id)).toContain(',27,12,27,30,1,');
      expect(await c.grades.csv(host, cls.id)).toContain(',Came in late\r\n');
      expect(await c.grades.correct(host, cls.id, f.learner.id, null, null)).toMatchObject({ correctedMinutes: null, score: 40 });
      expect(await c.grades.retryFailed(host, cls.id)).toBe(0);
      const audit = await s.activity.audit(host, { courseId: f.course.id, entity: 'live_attendance' }, { first: 10 });
      expect(audit.edges.map((e) => e.node.action)).toEqual(['uncorrect', 'correct', 'correct', 'uncorrect', 'correct']);
    });
  });
}
