/**
 * Reminders with real Redis and BullMQ and shortened offsets (sessions a minute and a few seconds away, reminded a
 * minute before): one per attendee and offset; moved with the session; gone when it is cancelled; skipped for a
 * person who muted reminders; once when the worker is killed mid-job and the job retried, or when a job runs twice;
 * queued again when Redis lost the job. Staff (and the host) see each reminder's state per attendee; nobody else.
 * Sessions are written straight into the table and `reminders.sync` called after, as the schedule services do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { rows } from '../db/client.js';
import pg from 'pg';
import { startWorker, type WorkerHandle } from '@lt/jobs';
import { ok } from '../../test/chat.js';
import { gql, poll, seed, startApp, subscribe, wsClient, type Fixture, type TestApp } from '../../test/harness.js';
import { startWorkerChild, type WorkerChild } from '../../test/worker-child.js';
import { upsertUser, type User } from '../users/service.js';
import { scheduleReminders, scheduleSessions, scheduleSettings } from './tables.js';
import { notifications } from '../notifications/tables.js';
import { createQueue } from '../queue/queues.js';
import { reminderJobId, type ReminderJob } from './reminders.js';

/** The reminders queue, as the services produce into it. */
const queueOf = (app: TestApp) => createQueue('reminders', app.core.config.redisUrl, app.core.config.queuePrefix, app.core.log);

const REMINDERS = `query($id: ID!) { sessionReminders(sessionId: $id) { userId userName offsetMinutes dueAt state sentAt error } }`;
const MUTE = `mutation($type: String!, $muted: Boolean!) { setNotificationMuted(type: $type, muted: $muted) { type muted } }`;
const PREFS = `query { notificationPreferences { type label group muted } }`;
const EVENTS = `subscription($after: String) { notificationEvents(after: $after) { type unreadCount notification { type courseId excerpt data } } }`;

interface Course extends Fixture {
  ana: User;
  anaToken: string;
}

/** A course with a host (the instructor) and two learners (Lee and Ana), reminded `offsets` minutes before. */
async function course(app: TestApp, label: string, offsets: number[] = [1]): Promise<Course> {
  const f = await seed(app.core, label);
  const { db } = app.core.services.database;
  const ana = await upsertUser(db, { tenantId: f.tenant.id, subject: `ana-${f.course.id}`, name: `Ana ${label}` });
  await app.core.services.courses.setMembership(f.tenant.id, f.course.id, ana.id, ['learner']);
  await db.insert(scheduleSettings).values({ courseId: f.course.id, tenantId: f.tenant.id, reminderOffsets: offsets });
  const anaToken = await app.core.services.sessions.issue({
    tenantId: f.tenant.id,
    userId: ana.id,
    courseId: f.course.id,
    roles: ['learner'],
  });
  return { ...f, ana, anaToken };
}

/** A course-audience session starting `inMs` after a minute from now: its 1-minute reminder is due in `inMs`. */
async function session(app: TestApp, c: Course, inMs: number, title = 'Lab'): Promise<{ id: string; startsAt: Date }> {
  const startsAt = new Date(Date.now() + 60_000 + inMs);
  const [row] = await app.core.services.database.db
    .insert(scheduleSessions)
    .values({
      tenantId: c.tenant.id,
      courseId: c.course.id,
      title,
      startsAt,
      endsAt: new Date(startsAt.getTime() + 3600_000),
      timeZone: 'UTC',
      hostId: c.instructor.id,
    })
    .returning();
  await app.core.services.reminders.sync([row!.id]);
  return { id: row!.id, startsAt };
}

const rowsOf = (app: TestApp, sessionId: string) =>
  app.core.services.database.db
    .select()
    .from(scheduleReminders)
    .where(eq(scheduleReminders.sessionId, sessionId))
    .orderBy(scheduleReminders.userId);

const remindersTo = (app: TestApp, userId: string) =>
  app.core.services.database.db
    .select()
    .from(notifications)
    .where(and(eq(notifications.userId, userId), eq(notifications.type, 'reminder')));

async function settled(app: TestApp, sessionId: string, n: number): Promise<void> {
  await poll(
    async () => {
      const rows = await rowsOf(app, sessionId);
      return rows.length === n && rows.every((r) => r.state !== 'scheduled');
    },
    30_000,
    () => `reminders of ${sessionId} still scheduled`,
  );
}

describe.each([
  { name: 'PostgreSQL', embedded: false },
  { name: 'PGlite', embedded: true },
])('reminders ($name)', ({ embedded }) => {
  let app: TestApp;
  let worker: WorkerHandle;
  let q: ReturnType<typeof queueOf>;
  beforeAll(async () => {
    app = await startApp({ embedded });
    worker = await startWorker(app.core);
    q = queueOf(app);
  });
  afterAll(async () => {
    await q?.close();
    await worker?.close();
    await app?.close();
  });

  it('fire once per attendee and offset, live, and staff see each state; learners and other tenants do not', async () => {
    const c = await course(app, 'fire');
    const { client } = wsClient(app.wsUrl, c.learnerToken);
    const live = subscribe(client, EVENTS, {}, 'notificationEvents');
    try {
      const s = await session(app, c, 2000, 'Lab one');
      // Planned at once, one per attendee (the host is none), with its job.
      const planned = await rowsOf(app, s.id);
      expect(planned.map((r) => r.userId).sort()).toEqual([c.learner.id, c.ana.id].sort());
      expect(planned.every((r) => r.state === 'scheduled' && r.dueAt.getTime() === s.startsAt.getTime() - 60_000)).toBe(true);
      // Syncing again changes nothing (idempotent).
      await app.core.services.reminders.sync([s.id]);
      expect(await rowsOf(app, s.id)).toEqual(planned);

      await settled(app, s.id, 2);
      const rows = await rowsOf(app, s.id);
      expect(rows.map((r) => r.state)).toEqual(['sent', 'sent']);
      for (const r of rows) expect(r.sentAt!.getTime()).toBeGreaterThanOrEqual(r.dueAt.getTime());
      for (const who of [c.learner, c.ana]) {
        const got = await remindersTo(app, who.id);
        expect(got).toHaveLength(1);
        expect(got[0]).toMatchObject({ courseId: c.course.id, excerpt: 'Lab one', data: { sessionId: s.id, offsetMinutes: 1 } });
      }
      expect(await remindersTo(app, c.instructor.id)).toHaveLength(0);
      // Live on the learner's own stream.
      const [ev] = await live.waitFor(1);
      expect(ev).toMatchObject({
        type: 'CREATED',
        unreadCount: 1,
        notification: { type: 'reminder', courseId: c.course.id, excerpt: 'Lab one', data: { sessionId: s.id } },
      });

      // The host/staff view: a state per attendee.
      const seen = await gql(app.url, REMINDERS, { id: s.id }, c.instructorToken);
      expect(seen.body.errors).toBeUndefined();
      expect(
        seen.body.data.sessionReminders
          .map((r: { userName: string; state: string; offsetMinutes: number }) => [r.userName, r.offsetMinutes, r.state])
          .sort(),
      ).toEqual([
        ['Ana fire', 1, 'SENT'],
        ['Lee Learner fire', 1, 'SENT'],
      ]);
      // The same on the session itself: its reminders for the staff, null for an attendee who reads the session.
      const onSession = `query($id: ID!) { scheduleSession(id: $id) { id reminders { userId state } } }`;
      expect(ok(await gql(app.url, onSession, { id: s.id }, c.instructorToken)).scheduleSession.reminders).toHaveLength(2);
      expect(ok(await gql(app.url, onSession, { id: s.id }, c.learnerToken)).scheduleSession).toEqual({ id: s.id, reminders: null });
      const learner = await gql(app.url, REMINDERS, { id: s.id }, c.learnerToken);
      expect(learner.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const other = await course(app, 'other-tenant');
      const foreign = await gql(app.url, REMINDERS, { id: s.id }, other.instructorToken);
      expect(foreign.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    } finally {
      live.stop();
      await client.dispose();
    }
  });

  it('move with the session: the old job does nothing, the new one fires once at the new time', async () => {
    const c = await course(app, 'move');
    const s = await session(app, c, 60_000);
    const before = await rowsOf(app, s.id);
    const oldJob: ReminderJob = {
      task: 'remind',
      sessionId: s.id,
      userId: c.learner.id,
      offsetMinutes: 1,
      dueAt: before.find((r) => r.userId === c.learner.id)!.dueAt.toISOString(),
    };
    expect(await q.getJobState(reminderJobId(s.id, c.learner.id, 1, new Date(oldJob.dueAt)))).toBe('delayed');

    // Moved earlier: due in 2 s instead of a minute.
    const startsAt = new Date(Date.now() + 62_000);
    const { db } = app.core.services.database;
    await db
      .update(scheduleSessions)
      .set({ startsAt, endsAt: new Date(startsAt.getTime() + 3600_000) })
      .where(eq(scheduleSessions.id, s.id));
    await app.core.services.reminders.sync([s.id]);
    const moved = await rowsOf(app, s.id);
    expect(moved.every((r) => r.state === 'scheduled' && r.dueAt.getTime() === startsAt.getTime() - 60_000)).toBe(true);
    // The old job is gone; had it stayed, it finds the row changed and does nothing.
    expect(await q.getJobState(reminderJobId(s.id, c.learner.id, 1, new Date(oldJob.dueAt)))).toBe('unknown');
    expect(await app.core.services.reminders.deliver(oldJob)).toBe('stale');

    await settled(app, s.id, 2);
    for (const r of await rowsOf(app, s.id)) {
      expect(r.state).toBe('sent');
      expect(r.sentAt!.getTime()).toBeGreaterThanOrEqual(startsAt.getTime() - 60_000);
    }
    expect(await remindersTo(app, c.learner.id)).toHaveLength(1);
    expect(await remindersTo(app, c.ana.id)).toHaveLength(1);
  });

  it('vanish when the session is cancelled; an attendee who leaves loses theirs', async () => {
    const c = await course(app, 'cancel');
    const cancelled = await session(app, c, 2000, 'Cancelled');
    // A session due just after it, as a witness that the worker passed the cancelled one's time.
    const witness = await session(app, c, 3000, 'Witness');
    const { db } = app.core.services.database;
    await db.update(scheduleSessions).set({ status: 'cancelled' }).where(eq(scheduleSessions.id, cancelled.id));
    await app.core.services.reminders.sync([cancelled.id]);
    expect((await rowsOf(app, cancelled.id)).map((r) => r.state)).toEqual(['cancelled', 'cancelled']);
    const due = (await rowsOf(app, cancelled.id))[0]!.dueAt;
    expect(await q.getJobState(reminderJobId(cancelled.id, c.learner.id, 1, due))).toBe('unknown');

    // Ana leaves the course before the witness fires: her reminder is cancelled, Lee's stays.
    await app.core.services.courses.removeMembership(c.tenant.id, c.course.id, c.ana.id);
    await app.core.services.reminders.sync([witness.id]);

    await poll(
      async () => (await rowsOf(app, witness.id)).some((r) => r.state === 'sent'),
      30_000,
      () => 'the witness reminder did not fire',
    );
    const w = await rowsOf(app, witness.id);
    expect(Object.fromEntries(w.map((r) => [r.userId, r.state]))).toEqual({ [c.learner.id]: 'sent', [c.ana.id]: 'cancelled' });
    expect((await rowsOf(app, cancelled.id)).map((r) => r.state)).toEqual(['cancelled', 'cancelled']);
    expect((await remindersTo(app, c.learner.id)).map((n) => n.excerpt)).toEqual(['Witness']);
    expect(await remindersTo(app, c.ana.id)).toHaveLength(0);
  });

  it('muted: the reminder is skipped, nothing is created; unmuting brings the next ones back', async () => {
    const c = await course(app, 'muted');
    const prefs = await gql(app.url, PREFS, {}, c.learnerToken);
    expect(prefs.body.data.notificationPreferences).toContainEqual({
      type: 'reminder',
      label: expect.any(String),
      group: 'schedule',
      muted: false,
    });
    const muted = await gql(app.url, MUTE, { type: 'reminder', muted: true }, c.learnerToken);
    expect(muted.body.data.setNotificationMuted).toContainEqual({ type: 'reminder', muted: true });
    const bad = await gql(app.url, MUTE, { type: 'nonsense', muted: true }, c.learnerToken);
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const s = await session(app, c, 2000);
    await settled(app, s.id, 2);
    const rows = await rowsOf(app, s.id);
    expect(Object.fromEntries(rows.map((r) => [r.userId, r.state]))).toEqual({ [c.learner.id]: 'skipped', [c.ana.id]: 'sent' });
    expect(await remindersTo(app, c.learner.id)).toHaveLength(0);
    expect(await remindersTo(app, c.ana.id)).toHaveLength(1);
    const view = await gql(app.url, REMINDERS, { id: s.id }, c.instructorToken);
    expect(view.body.data.sessionReminders.map((r: { state: string }) => r.state).sort()).toEqual(['SENT', 'SKIPPED']);

    // Other types obey the same preference: a muted type is never created by notify().
    await gql(app.url, MUTE, { type: 'session.changed', muted: true }, c.learnerToken);
    const made = await app.core.services.notifications.notify(
      [c.learner, c.ana].map((u) => ({
        tenantId: c.tenant.id,
        userId: u.id,
        courseId: c.course.id,
        type: 'session.changed',
        data: { sessionId: s.id },
      })),
    );
    expect(made).toBe(1);

    await gql(app.url, MUTE, { type: 'reminder', muted: false }, c.learnerToken);
    const again = await session(app, c, 2000, 'Unmuted');
    await settled(app, again.id, 2);
    expect((await remindersTo(app, c.learner.id)).map((n) => n.excerpt)).toEqual(['Unmuted']);
  });

  it('through the schedule service: a session planned, moved and cancelled plans, moves and withdraws its reminders', async () => {
    const c = await course(app, 'service');
    const ada = {
      kind: 'session' as const,
      tenantId: c.tenant.id,
      userId: c.instructor.id,
      courseId: null,
      roles: [],
      expiresAt: Date.now() + 3_600_000,
    };
    const startsAt = new Date(Date.now() + 3_600_000);
    const [created] = await app.core.services.schedule.create(
      ada,
      { courseId: c.course.id, title: 'Planned', startsAt, endsAt: new Date(startsAt.getTime() + 3_600_000) },
      true,
    );
    const dueOf = (at: Date) => at.getTime() - 60_000;
    expect((await rowsOf(app, created!.id)).map((r) => [r.state, r.dueAt.getTime()])).toEqual([
      ['scheduled', dueOf(startsAt)],
      ['scheduled', dueOf(startsAt)],
    ]);
    const later = new Date(startsAt.getTime() + 2 * 3_600_000);
    await app.core.services.schedule.move(ada, created!.id, later, new Date(later.getTime() + 3_600_000), 'one', true);
    const moved = await rowsOf(app, created!.id);
    expect(moved.map((r) => [r.state, r.dueAt.getTime()])).toEqual([
      ['scheduled', dueOf(later)],
      ['scheduled', dueOf(later)],
    ]);
    for (const r of moved) {
      expect(await q.getJobState(reminderJobId(r.sessionId, r.userId, 1, new Date(dueOf(startsAt))))).toBe('unknown');
      expect(await q.getJobState(reminderJobId(r.sessionId, r.userId, 1, r.dueAt))).toBe('delayed');
    }
    await app.core.services.schedule.cancel(ada, created!.id, 'one');
    const cancelled = await rowsOf(app, created!.id);
    expect(cancelled.map((r) => r.state)).toEqual(['cancelled', 'cancelled']);
    for (const r of cancelled) expect(await q.getJobState(reminderJobId(r.sessionId, r.userId, 1, r.dueAt))).toBe('unknown');
  });

  it('the sweep plans the reminders of someone who joined the course since, and withdraws those of someone who left', async () => {
    const c = await course(app, 'joined');
    const s = await session(app, c, 3_600_000, 'Later');
    expect((await rowsOf(app, s.id)).map((r) => r.userId).sort()).toEqual([c.learner.id, c.ana.id].sort());
    const { db } = app.core.services.database;
    const bo = await upsertUser(db, { tenantId: c.tenant.id, subject: `bo-${c.course.id}`, name: 'Bo Joined' });
    await app.core.services.courses.setMembership(c.tenant.id, c.course.id, bo.id, ['learner']);
    await app.core.services.courses.removeMembership(c.tenant.id, c.course.id, c.ana.id);
    expect(await app.core.services.reminders.syncUpcoming()).toBeGreaterThanOrEqual(1);
    const rows = await rowsOf(app, s.id);
    expect(Object.fromEntries(rows.map((r) => [r.userId, r.state]))).toEqual({
      [c.learner.id]: 'scheduled',
      [c.ana.id]: 'cancelled',
      [bo.id]: 'scheduled',
    });
    const boRow = rows.find((r) => r.userId === bo.id)!;
    expect(await q.getJobState(reminderJobId(s.id, bo.id, 1, boRow.dueAt))).toBe('delayed');
    // Cancelled: nothing of it stays planned for the tests after.
    await db.update(scheduleSessions).set({ status: 'cancelled' }).where(eq(scheduleSessions.id, s.id));
    await app.core.services.reminders.sync([s.id]);
    expect(await q.getJobState(reminderJobId(s.id, bo.id, 1, boRow.dueAt))).toBe('unknown');
  });

  it('staff see why a reminder failed: delivered too late, an error on the last attempt; a cancelled session without a sync cancels at delivery', async () => {
    const c = await course(app, 'failed');
    const { db } = app.core.services.database;
    const s = await session(app, c, 3_600_000, 'Late');
    const [lee, ana] = [c.learner.id, c.ana.id].map((userId) => ({
      task: 'remind' as const,
      sessionId: s.id,
      userId,
      offsetMinutes: 1,
      dueAt: new Date(s.startsAt.getTime() - 60_000).toISOString(),
    }));
    for (const r of await rowsOf(app, s.id)) await q.remove(reminderJobId(r.sessionId, r.userId, r.offsetMinutes, r.dueAt));
    // The session began before its reminder could go (the queue was down that long): failed, with why, never sent.
    await db
      .update(scheduleSessions)
      .set({ startsAt: new Date(Date.now() - 1000) })
      .where(eq(scheduleSessions.id, s.id));
    expect(await app.core.services.reminders.deliver(lee!)).toBe('late');
    // The last attempt of Ana's failed.
    await app.core.services.reminders.fail(ana!, 'Redis went away');
    const view = ok(await gql(app.url, REMINDERS, { id: s.id }, c.instructorToken)).sessionReminders as {
      userName: string;
      state: string;
      error: string | null;
    }[];
    expect(view.map((r) => [r.userName, r.state, r.error]).sort()).toEqual([
      ['Ana failed', 'FAILED', 'Redis went away'],
      ['Lee Learner failed', 'FAILED', 'Not delivered in time: the session had already started.'],
    ]);
    expect(await remindersTo(app, c.learner.id)).toHaveLength(0);

    // Cancelled, and the process died before planning again: the job finds the session cancelled and cancels.
    const gone = await session(app, c, 3_600_000, 'Gone');
    await db.update(scheduleSessions).set({ status: 'cancelled' }).where(eq(scheduleSessions.id, gone.id));
    const job = { ...lee!, sessionId: gone.id, dueAt: new Date(gone.startsAt.getTime() - 60_000).toISOString() };
    expect(await app.core.services.reminders.deliver(job)).toBe('stale');
    expect(Object.fromEntries((await rowsOf(app, gone.id)).map((r) => [r.userId, r.state]))).toEqual({
      [c.learner.id]: 'cancelled',
      [c.ana.id]: 'scheduled',
    });
    await app.core.services.reminders.sync([gone.id]);
    expect((await rowsOf(app, gone.id)).map((r) => r.state)).toEqual(['cancelled', 'cancelled']);
  });

  it('a job that runs twice delivers once; a job Redis lost is queued again by the sweep', async () => {
    const c = await course(app, 'twice');
    const s = await session(app, c, 2000);
    await settled(app, s.id, 2);
    const [row] = (await rowsOf(app, s.id)).filter((r) => r.userId === c.learner.id);
    const job: ReminderJob = { task: 'remind', sessionId: s.id, userId: c.learner.id, offsetMinutes: 1, dueAt: row!.dueAt.toISOString() };
    expect(await app.core.services.reminders.deliver(job)).toBe('stale');
    expect(await Promise.all([1, 2, 3].map(() => app.core.services.reminders.deliver(job)))).toEqual(['stale', 'stale', 'stale']);
    expect(await remindersTo(app, c.learner.id)).toHaveLength(1);

    // Redis loses a planned reminder's job: the sweep finds the row scheduled without a job, and queues it again.
    const lost = await session(app, c, 3000, 'Lost');
    const lostRows = await rowsOf(app, lost.id);
    for (const r of lostRows) await q.remove(reminderJobId(r.sessionId, r.userId, r.offsetMinutes, r.dueAt));
    expect(await app.core.services.reminders.requeueMissing()).toBe(2);
    expect(await app.core.services.reminders.requeueMissing()).toBe(0);
    await settled(app, lost.id, 2);
    expect((await rowsOf(app, lost.id)).map((r) => r.state)).toEqual(['sent', 'sent']);
    expect((await remindersTo(app, c.learner.id)).map((n) => n.excerpt).sort()).toEqual(['Lab', 'Lost']);
  });
});

describe('reminders: a worker killed mid-job (PostgreSQL)', () => {
  it('the job is retried after its lock and the reminder is delivered once', async () => {
    const app = await startApp({ env: { REMINDER_LOCK_MS: '2000' } });
    let child: WorkerChild | undefined;
    let second: WorkerHandle | undefined;
    const q = queueOf(app);
    const holder = new pg.Client({ connectionString: app.core.config.databaseUrl! });
    try {
      child = await startWorkerChild(app.core.config, { REMINDER_LOCK_MS: '2000' });

      const c = await course(app, 'kill');
      // Lee's reminder row is held locked: the child's delivery blocks inside its transaction, mid-job.
      const s = await session(app, c, 1500);
      await holder.connect();
      await holder.query('begin');
      await holder.query(`select 1 from schedule_reminders where session_id = $1 and user_id = $2 for update`, [s.id, c.learner.id]);
      const leeJob = reminderJobId(s.id, c.learner.id, 1, new Date(s.startsAt.getTime() - 60_000));
      await poll(
        async () =>
          (await q.getJobState(leeJob)) === 'active' &&
          (
            await rows<{ n: number | string }>(
              app.core.services.database.db,
              sql`select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike '%schedule_reminders%'`,
            )
          ).some((r) => Number(r.n) > 0),
        30_000,
        () => `the child never started delivering: ${child!.output()}`,
      );
      await child.kill();
      await holder.query('rollback');
      // Nothing was delivered to Lee by the killed worker (its transaction never committed).
      expect(await remindersTo(app, c.learner.id)).toHaveLength(0);

      second = await startWorker(app.core);
      await settled(app, s.id, 2);
      expect((await rowsOf(app, s.id)).map((r) => r.state)).toEqual(['sent', 'sent']);
      expect(await remindersTo(app, c.learner.id)).toHaveLength(1);
      expect(await remindersTo(app, c.ana.id)).toHaveLength(1);
      // The retried job has completed: a further run (BullMQ's at-least-once) still delivers nothing more.
      await poll(
        async () => (await q.getJobState(leeJob)) === 'unknown',
        30_000,
        () => 'the retried job did not complete',
      );
      const job: ReminderJob = {
        task: 'remind',
        sessionId: s.id,
        userId: c.learner.id,
        offsetMinutes: 1,
        dueAt: new Date(s.startsAt.getTime() - 60_000).toISOString(),
      };
      expect(await app.core.services.reminders.deliver(job)).toBe('stale');
      expect(await remindersTo(app, c.learner.id)).toHaveLength(1);
    } finally {
      await child?.kill();
      await holder.end().catch(() => {});
      await q.close();
      await second?.close();
      await app.close();
    }
  }, 90_000);
});
