/**
 * Live classes: planning them (each with its schedule session and its own chat room), starting and ending them
 * (hosts only; BigBlueButton's meeting created and ended with it where one is configured), joining them (the meeting's
 * URL for the person), and the class and course streams their pages follow.
 *
 * Who may do what is decided by LiveAccess (live/access.ts); a class's fields are checked by live/input.ts; who is
 * admitted and present (join, heartbeat, leave, the sweep of stale presence) is the attendance ledger
 * (live/ledger.ts), which this service builds on its own clock and hands on. Every change is one `realtime.write` with
 * its events on the class's stream (`live:<id>`) and, for the list, on the course's (`live-course:<courseId>`).
 */
import { and, asc, eq, ne } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Emit, Feed, Realtime } from '../realtime/realtime.js';
import type { Access } from '../auth/access.js';
import { isUuid } from '../auth/access.js';
import type { Viewer } from '../auth/viewer.js';
import type { ActivityService } from '../activity/service.js';
import type { RoomService } from '../rooms/service.js';
import type { ScheduleService } from '../schedule/service.js';
import type { LtiService } from '../lti/service.js';
import type { Logger } from '../logger.js';
import { AppError, notFound } from '../errors.js';
import { users } from '../users/tables.js';
import { liveClasses } from './tables.js';
import { liveCourseStream, liveStream, type LiveClassState, type LiveParticipantView } from './events.js';
import type { LiveAccess, LiveClassRow } from './access.js';
import { toClassEvent, type LiveClassEventOut } from './class-events.js';
import type { BbbClient, BbbRecording } from './bbb.js';
import { LiveLedger } from './ledger.js';
import { checkClassInput, checkUrl, type LiveClassInput } from './input.js';

export type { LiveClassInput };

/** A class as read, with the position of its stream the read reflects. */
export type LiveClassView = LiveClassRow & { cursor: string };

export interface LiveGradeLinkView {
  id: string;
  title: string;
}

export interface CourseLiveClassEventOut {
  cursor: string;
  type: string;
  classId: string;
  liveClass: LiveClassView | null;
}

export interface LiveDeps {
  db: Tx;
  realtime: Realtime;
  access: Access;
  liveAccess: LiveAccess;
  rooms: RoomService;
  schedule: ScheduleService;
  /** The course's graded activities (resource links with a line item) a class reports attendance to. */
  lti: LtiService;
  /** The configured BigBlueButton server; null: classes are meeting links. */
  bbb: BbbClient | null;
  config: { liveGraceSeconds: number; liveHeartbeatSeconds: number; publicUrl?: string };
  activity: ActivityService;
  log: Logger;
  clock?: () => Date;
}

type Person = Extract<Viewer, { kind: 'session' }>;
/** Told a class ended, with its row as ended (state, times), after the commit. */
type EndedListener = (row: LiveClassRow) => Promise<unknown>;

const MAX_LIST = 500;

export class LiveService {
  /** The live-class rules, for the schema and the other live services. */
  readonly access: LiveAccess;
  private readonly clock: () => Date;
  /** Admissions and presence (live/ledger.ts), on this service's clock and settings. */
  private readonly ledger: LiveLedger;
  private readonly endedListeners: EndedListener[] = [];

  constructor(private readonly d: LiveDeps) {
    this.access = d.liveAccess;
    this.clock = d.clock ?? (() => new Date());
    this.ledger = new LiveLedger({
      db: d.db,
      realtime: d.realtime,
      liveAccess: d.liveAccess,
      graceSeconds: d.config.liveGraceSeconds,
      heartbeatSeconds: d.config.liveHeartbeatSeconds,
      log: d.log,
      clock: this.clock,
    });
  }

  /** Whether BigBlueButton is configured (the BIGBLUEBUTTON provider is offered). */
  get bbbEnabled(): boolean {
    return this.d.bbb !== null;
  }

  /**
   * Subscribes to classes ending (after the end is committed): the grades post attendance then. The grade service
   * subscribes in its own constructor, so this service knows nothing of grades.
   */
  onClassEnded(fn: EndedListener): void {
    this.endedListeners.push(fn);
  }

  // ---- reading ----

  /** One class, NOT_FOUND unless the viewer reads its course. */
  async get(viewer: Viewer, id: string): Promise<LiveClassView> {
    if (!isUuid(id)) throw notFound('The live class');
    // The head before the row: everything up to it is reflected by what is read after.
    const head = await this.d.realtime.head(liveStream(id));
    const row = await this.access.readableClass(viewer, id);
    return { ...row, cursor: String(head) };
  }

  /** A class as written just now, with its stream's head: what a mutation answers with (the page follows from it). */
  private async withCursor(row: LiveClassRow): Promise<LiveClassView> {
    return { ...row, cursor: String(await this.d.realtime.head(liveStream(row.id))) };
  }

  /** A course's classes (the newest scheduled last), with the course stream's position the list reflects. */
  async list(viewer: Viewer, courseId: string, includeEnded: boolean): Promise<{ classes: LiveClassView[]; cursor: string }> {
    await this.d.access.requireCourseRead(viewer, courseId);
    const cursor = String(await this.d.realtime.head(liveCourseStream(courseId)));
    const rows = await this.d.db
      .select()
      .from(liveClasses)
      .where(
        and(
          eq(liveClasses.courseId, courseId),
          eq(liveClasses.tenantId, viewer.tenantId),
          includeEnded ? undefined : ne(liveClasses.state, 'ended'),
        ),
      )
      .orderBy(asc(liveClasses.startsAt), asc(liveClasses.id))
      .limit(MAX_LIST);
    const heads = await this.d.realtime.heads(rows.map((r) => liveStream(r.id)));
    return { classes: rows.map((r) => ({ ...r, cursor: String(heads.get(liveStream(r.id)) ?? 0) })), cursor };
  }

  /** Whether the viewer hosts the class. */
  canHost(viewer: Viewer, row: LiveClassRow): Promise<boolean> {
    return this.access.isHost(viewer, row.courseId);
  }

  /** BigBlueButton's recordings of an ended class (none for links; none when BBB does not answer, logged). */
  async recordings(row: LiveClassRow): Promise<BbbRecording[]> {
    if (!this.d.bbb || row.provider !== 'bbb' || !row.bbbMeetingId || row.state !== 'ended') return [];
    try {
      return await this.d.bbb.getRecordings(row.bbbMeetingId);
    } catch (err) {
      this.d.log.warn({ err: (err as Error).message, classId: row.id }, 'live: BigBlueButton recordings not listed');
      return [];
    }
  }

  /** The graded LMS activity of a class (null when none, or its link is gone). */
  async gradeLink(row: LiveClassRow): Promise<LiveGradeLinkView | null> {
    if (!row.resourceLinkId) return null;
    const l = await this.d.lti.resourceLink(row.resourceLinkId);
    return l ? { id: l.id, title: l.title ?? 'Untitled activity' } : null;
  }

  /** The course's graded activities a class can pass attendance to (hosts): those of the Live class section first. */
  async gradeLinks(viewer: Viewer, courseId: string): Promise<LiveGradeLinkView[]> {
    if (!isUuid(courseId)) throw notFound('The course');
    await this.access.requireCourseHost(viewer, courseId);
    const rows = await this.d.lti.gradedLinks(viewer.tenantId, courseId, 'live', MAX_LIST);
    return rows.map((l) => ({ id: l.id, title: l.title ?? 'Untitled activity' }));
  }

  // ---- planning ----

  /** Plans a class (hosts): its schedule session (made, or an existing one linked) and its chat room. */
  async create(viewer: Viewer, courseId: string, input: LiveClassInput): Promise<LiveClassView> {
    if (!isUuid(courseId)) throw notFound('The course');
    await this.access.requireCourseHost(viewer, courseId);
    const person = viewer as Person;
    const f = await checkClassInput(input, null, this.inputContext(viewer.tenantId, courseId));
    let sessionId = f.sessionId;
    if (input.sessionId) {
      const s = await this.d.schedule.session(viewer, input.sessionId).catch(() => null);
      if (!s || s.courseId !== courseId || s.status === 'cancelled')
        throw new AppError('BAD_USER_INPUT', 'The schedule session is not one of this course’s.', { field: 'sessionId' });
      sessionId = s.id;
    }
    if (!sessionId) {
      const [s] = await this.d.schedule.create(
        viewer,
        {
          courseId,
          title: f.title,
          description: f.description,
          startsAt: f.startsAt,
          endsAt: f.endsAt,
          audience: 'course',
          hostId: person.userId,
          meetingUrl: f.meetingUrl,
        },
        true,
      );
      sessionId = s!.id;
    }
    const madeSession = !input.sessionId;
    const tenantId = viewer.tenantId;
    const row = await this.d.realtime
      .write(async (tx, emit) => {
        const [created] = await tx
          .insert(liveClasses)
          .values({
            tenantId,
            courseId,
            sessionId,
            title: f.title,
            description: f.description,
            startsAt: f.startsAt,
            endsAt: f.endsAt,
            maxParticipants: f.maxParticipants,
            provider: f.provider,
            meetingUrl: f.meetingUrl,
            policy: f.policy,
            thresholdPercent: f.thresholdPercent,
            anonymousQuestions: f.anonymousQuestions,
            confusionWindowSeconds: f.confusionWindowSeconds,
            confusionAlertPercent: f.confusionAlertPercent,
            resourceLinkId: f.resourceLinkId,
            createdBy: person.userId,
          })
          .returning();
        const room = await this.d.rooms.ensureLiveRoom(tenantId, courseId, created!.id, f.title);
        const [withRoom] = await tx
          .update(liveClasses)
          .set({ roomId: room.id, bbbMeetingId: f.provider === 'bbb' ? `cc-${created!.id}` : null })
          .where(eq(liveClasses.id, created!.id))
          .returning();
        await this.d.activity.recordAudit({
          tenantId,
          courseId,
          by: viewer,
          entity: 'live_class',
          entityId: created!.id,
          action: 'create',
          after: auditable(withRoom!),
        });
        await emit(liveCourseStream(courseId), { tenantId, type: 'class.created', payload: { classId: created!.id, state: 'scheduled' } });
        return withRoom!;
      })
      .catch(async (err: unknown) => {
        // Nothing half-made: the session made for it goes too.
        if (madeSession && sessionId) await this.d.schedule.cancel(viewer, sessionId, 'one').catch(() => {});
        throw err;
      });
    return { ...row, cursor: '0' };
  }

  /** Edits a class (hosts). The provider changes only before it starts. The schedule session follows its title and time. */
  async update(viewer: Viewer, id: string, input: LiveClassInput): Promise<LiveClassView> {
    const current = await this.access.readableClass(viewer, id);
    await this.access.requireHost(viewer, current);
    const f = await checkClassInput(input, current, this.inputContext(viewer.tenantId, current.courseId));
    if (current.state !== 'scheduled' && f.provider !== current.provider)
      throw new AppError('BAD_USER_INPUT', 'The meeting tool of a class cannot change once it has started.', { field: 'provider' });
    let sessionId = current.sessionId;
    if (input.sessionId && input.sessionId !== current.sessionId) {
      const s = await this.d.schedule.session(viewer, input.sessionId).catch(() => null);
      if (!s || s.courseId !== current.courseId || s.status === 'cancelled')
        throw new AppError('BAD_USER_INPUT', 'The schedule session is not one of this course’s.', { field: 'sessionId' });
      sessionId = s.id;
    }
    const tenantId = viewer.tenantId;
    const row = await this.d.realtime.write(async (tx, emit) => {
      await this.access.lockedClass(viewer, id, tx);
      const [updated] = await tx
        .update(liveClasses)
        .set({
          sessionId,
          title: f.title,
          description: f.description,
          startsAt: f.startsAt,
          endsAt: f.endsAt,
          maxParticipants: f.maxParticipants,
          provider: f.provider,
          meetingUrl: f.meetingUrl,
          bbbMeetingId: f.provider === 'bbb' ? (current.bbbMeetingId ?? `cc-${id}`) : null,
          policy: f.policy,
          thresholdPercent: f.thresholdPercent,
          anonymousQuestions: f.anonymousQuestions,
          confusionWindowSeconds: f.confusionWindowSeconds,
          confusionAlertPercent: f.confusionAlertPercent,
          resourceLinkId: f.resourceLinkId,
          updatedAt: this.clock(),
        })
        .where(eq(liveClasses.id, id))
        .returning();
      await this.d.activity.recordAudit({
        tenantId,
        courseId: current.courseId,
        by: viewer,
        entity: 'live_class',
        entityId: id,
        action: 'update',
        before: auditable(current),
        after: auditable(updated!),
      });
      await this.emitUpdated(emit, updated!);
      return updated!;
    });
    if (row.sessionId && row.sessionId === current.sessionId) await this.syncSession(viewer, row);
    return this.withCursor(row);
  }

  /** Removes a class that has not started (hosts); its schedule session is cancelled and its room archived. */
  async delete(viewer: Viewer, id: string): Promise<boolean> {
    const current = await this.access.readableClass(viewer, id);
    await this.access.requireHost(viewer, current);
    const tenantId = viewer.tenantId;
    const removed = await this.d.realtime.write(async (tx, emit) => {
      const row = await this.access.lockedClass(viewer, id, tx);
      if (row.state !== 'scheduled')
        throw new AppError('CONFLICT', 'Only a class that has not started can be deleted; its record stays once it has.', {
          state: row.state,
        });
      await tx.delete(liveClasses).where(eq(liveClasses.id, id));
      if (row.roomId) await this.d.rooms.archiveLiveRoom(tx, row.roomId);
      await this.d.activity.recordAudit({
        tenantId,
        courseId: row.courseId,
        by: viewer,
        entity: 'live_class',
        entityId: id,
        action: 'delete',
        before: auditable(row),
      });
      await emit(liveCourseStream(row.courseId), {
        tenantId,
        type: 'class.deleted',
        payload: { classId: id, state: row.state as LiveClassState },
      });
      return row;
    });
    if (removed.sessionId)
      await this.d.schedule.cancel(viewer, removed.sessionId, 'one').catch((err: unknown) => {
        this.d.log.warn({ err: (err as Error).message, classId: id }, 'live: the schedule session of a deleted class was not cancelled');
      });
    return true;
  }

  /** A recording's URL (hosts), given after the class; null removes it. */
  async setRecordingUrl(viewer: Viewer, id: string, url: string | null): Promise<LiveClassView> {
    const current = await this.access.readableClass(viewer, id);
    await this.access.requireHost(viewer, current);
    const clean = checkUrl(url, 'url');
    const row = await this.d.realtime.write(async (tx, emit) => {
      await this.access.lockedClass(viewer, id, tx);
      const [updated] = await tx
        .update(liveClasses)
        .set({ recordingUrl: clean, updatedAt: this.clock() })
        .where(eq(liveClasses.id, id))
        .returning();
      await this.emitUpdated(emit, updated!);
      return updated!;
    });
    return this.withCursor(row);
  }

  // ---- running ----

  /** Starts the class (hosts): scheduled → live; BigBlueButton's meeting is created first. Starting a live class again is a no-op. */
  async start(viewer: Viewer, id: string): Promise<LiveClassView> {
    const current = await this.access.readableClass(viewer, id);
    await this.access.requireHost(viewer, current);
    const person = viewer as Person;
    if (current.state === 'ended') throw new AppError('CLASS_NOT_LIVE', 'This class has ended.', { state: current.state });
    if (current.provider === 'bbb') {
      if (!this.d.bbb || !current.bbbMeetingId)
        throw new AppError('BBB_UNAVAILABLE', 'No BigBlueButton server is configured.', { messageKey: 'notConfigured' });
      await this.d.bbb.create({
        meetingId: current.bbbMeetingId,
        name: current.title,
        record: true,
        logoutUrl: this.d.config.publicUrl,
      });
    }
    const tenantId = viewer.tenantId;
    const row = await this.d.realtime.write(async (tx, emit) => {
      const locked = await this.access.lockedClass(viewer, id, tx);
      if (locked.state === 'live') return locked;
      if (locked.state === 'ended') throw new AppError('CLASS_NOT_LIVE', 'This class has ended.', { state: locked.state });
      const now = this.clock();
      const [updated] = await tx
        .update(liveClasses)
        .set({ state: 'live', startedAt: now, startedBy: person.userId, updatedAt: now })
        .where(eq(liveClasses.id, id))
        .returning();
      await this.d.activity.recordActivity({
        tenantId,
        courseId: locked.courseId,
        type: 'live.started',
        actorId: person.userId,
        data: { classId: id, title: locked.title },
      });
      await this.emitUpdated(emit, updated!);
      return updated!;
    });
    return this.withCursor(row);
  }

  /**
   * Ends the class (hosts): live → ended; every open stretch closes at the end (or at its last sign of life, for a
   * person gone longer than the grace period). Then BigBlueButton's meeting is ended and the listeners (grades) told.
   */
  async end(viewer: Viewer, id: string): Promise<LiveClassView> {
    const current = await this.access.readableClass(viewer, id);
    await this.access.requireHost(viewer, current);
    const tenantId = viewer.tenantId;
    const { row, changed } = await this.d.realtime.write(async (tx, emit) => {
      const locked = await this.access.lockedClass(viewer, id, tx);
      if (locked.state === 'ended') return { row: locked, changed: false };
      if (locked.state !== 'live') throw new AppError('CLASS_NOT_LIVE', 'This class has not started yet.', { state: locked.state });
      const now = this.clock();
      await this.ledger.closeAll(tx, id, now);
      const [updated] = await tx
        .update(liveClasses)
        .set({ state: 'ended', endedAt: now, updatedAt: now })
        .where(eq(liveClasses.id, id))
        .returning();
      await this.d.activity.recordActivity({
        tenantId,
        courseId: locked.courseId,
        type: 'live.ended',
        actorId: viewer.kind === 'session' ? viewer.userId : null,
        data: { classId: id, title: locked.title, minutes: Math.round((now.getTime() - (locked.startedAt ?? now).getTime()) / 60_000) },
      });
      await this.emitUpdated(emit, updated!);
      return { row: updated!, changed: true };
    });
    if (changed) {
      if (row.provider === 'bbb' && row.bbbMeetingId && this.d.bbb)
        await this.d.bbb.end(row.bbbMeetingId).catch((err: unknown) => {
          this.d.log.warn({ err: (err as Error).message, classId: id }, 'live: BigBlueButton meeting not ended');
        });
      for (const fn of this.endedListeners)
        await fn(row).catch((err: unknown) => this.d.log.error({ err, classId: id }, 'live: a class-ended listener failed'));
    }
    return this.withCursor(row);
  }

  // ---- attendance: the ledger (live/ledger.ts) ----

  /** Whether the viewer (a person) has been admitted to the class. */
  joined(viewer: Viewer, row: LiveClassRow): Promise<boolean> {
    return this.ledger.joined(viewer, row);
  }

  /** Participants admitted (hosts not counted; learners given a row of no joins when the class ended neither). */
  participantCount(row: LiveClassRow): Promise<number> {
    return this.ledger.participantCount(row);
  }

  /** Everyone admitted, hosts first, then by name, with whether they are in the class now. */
  participants(row: LiveClassRow): Promise<LiveParticipantView[]> {
    return this.ledger.participants(row);
  }

  /**
   * Joins the class: admitted the first time (CLASS_FULL once max participants are admitted; hosts never count), a
   * stretch of presence opened (or the open one kept), the join counted. Returns the meeting's URL for this person:
   * BigBlueButton's join URL with their name and role, or the class's link.
   */
  async join(viewer: Viewer, id: string): Promise<{ liveClass: LiveClassView; meetingUrl: string | null }> {
    const { row, host, userId } = await this.ledger.admit(viewer, id);
    let meetingUrl: string | null = row.meetingUrl;
    if (row.provider === 'bbb') {
      if (!this.d.bbb || !row.bbbMeetingId)
        throw new AppError('BBB_UNAVAILABLE', 'No BigBlueButton server is configured.', { messageKey: 'notConfigured' });
      const [u] = await this.d.db.select({ name: users.name }).from(users).where(eq(users.id, userId));
      meetingUrl = this.d.bbb.joinUrl({
        meetingId: row.bbbMeetingId,
        fullName: u?.name ?? 'Participant',
        userId,
        role: host ? 'MODERATOR' : 'VIEWER',
      });
    }
    return { liveClass: await this.withCursor(row), meetingUrl };
  }

  /** Leaves the class: the open stretch closes now (reason left). False when the person was not in it. */
  leave(viewer: Viewer, id: string): Promise<boolean> {
    return this.ledger.leave(viewer, id);
  }

  /**
   * A sign of life of a person in the class (`liveHeartbeat`, for clients without a subscription): the class is live
   * and the person admitted, else CLASS_NOT_LIVE / NOT_JOINED. False when they are not in it (they left).
   */
  heartbeat(viewer: Viewer, id: string): Promise<boolean> {
    return this.ledger.heartbeat(viewer, id);
  }

  /** Closes the stretches of presence not renewed within the grace period (every 15 s, live/jobs.ts); how many closed. */
  sweep(): Promise<number> {
    return this.ledger.sweep();
  }

  // ---- following ----

  /**
   * A class's events from `after` (its `cursor`), as a feed: hosts and participants are separate groups
   * (`variant`), and for participants the map cuts what they may not see (anonymous authors, open tallies) and
   * leaves out confusion and attendance. While a person's subscription is open, their presence is renewed every
   * `liveHeartbeatSeconds`.
   */
  async follow(viewer: Viewer, classId: string, after: number | null, signal: AbortSignal | undefined): Promise<Feed<LiveClassEventOut>> {
    const row = await this.access.readableClass(viewer, classId);
    const courseId = row.courseId;
    const host = await this.access.isHost(viewer, courseId);
    let stop = () => {};
    if (viewer.kind === 'session' && row.state !== 'ended') stop = this.ledger.keepAlive(classId, viewer.userId, signal);
    return this.d.realtime.feed({
      stream: liveStream(classId),
      variant: host ? 'host' : 'participant',
      after,
      signals: false,
      authorizeNow: () => this.access.canFollowNow(viewer, courseId, host),
      authorize: () => this.access.canFollow(viewer, courseId, host),
      map: (d) => (d.kind === 'event' ? toClassEvent(d.event, host) : null),
      signal,
      onEnd: () => stop(),
    });
  }

  /** A course's list of classes as it changes, from `after` (CourseLiveClasses.cursor); each class read for the viewer. */
  async followCourse(
    viewer: Viewer,
    courseId: string,
    after: number | null,
    signal: AbortSignal | undefined,
  ): Promise<AsyncIterable<CourseLiveClassEventOut>> {
    await this.d.access.requireCourseRead(viewer, courseId);
    const source = this.d.realtime.subscribe(liveCourseStream(courseId), {
      after,
      signal,
      authorize: () => this.d.access.canReadCourse(viewer, courseId),
    });
    return {
      [Symbol.asyncIterator]: async function* (this: LiveService) {
        for await (const d of source) {
          if (d.kind !== 'event') continue;
          const { classId } = d.event.payload;
          const head = await this.d.realtime.head(liveStream(classId));
          const row = d.event.type === 'class.deleted' ? null : await this.access.readableClass(viewer, classId).catch(() => null);
          yield { cursor: String(d.event.seq), type: d.event.type, classId, liveClass: row ? { ...row, cursor: String(head) } : null };
        }
      }.bind(this),
    };
  }

  // ---- internals ----

  /** What checkClassInput (live/input.ts) needs beyond the input: the course, BigBlueButton, the course's links. */
  private inputContext(tenantId: string, courseId: string) {
    return { tenantId, courseId, bbbEnabled: this.bbbEnabled, resourceLink: (id: string) => this.d.lti.resourceLink(id) };
  }

  private async emitUpdated(emit: Emit, row: LiveClassRow): Promise<void> {
    const state = row.state as LiveClassState;
    await emit(liveStream(row.id), {
      tenantId: row.tenantId,
      type: 'class.updated',
      payload: {
        classId: row.id,
        state,
        startedAt: row.startedAt?.toISOString() ?? null,
        endedAt: row.endedAt?.toISOString() ?? null,
        recordingUrl: row.recordingUrl,
      },
    });
    await emit(liveCourseStream(row.courseId), { tenantId: row.tenantId, type: 'class.updated', payload: { classId: row.id, state } });
  }

  /** The schedule session a class made follows its title, time and link (logged, not thrown, when it cannot). */
  private async syncSession(viewer: Viewer, row: LiveClassRow): Promise<void> {
    if (!row.sessionId) return;
    await this.d.schedule
      .update(
        viewer,
        row.sessionId,
        {
          title: row.title,
          startsAt: row.startsAt,
          endsAt: row.endsAt,
          ...(row.provider === 'link' ? { meetingUrl: row.meetingUrl ?? '' } : {}),
        },
        'one',
        true,
      )
      .catch((err: unknown) => this.d.log.warn({ err: (err as Error).message, classId: row.id }, 'live: schedule session not updated'));
  }
}

function auditable(r: LiveClassRow) {
  return {
    title: r.title,
    startsAt: r.startsAt.toISOString(),
    endsAt: r.endsAt.toISOString(),
    state: r.state,
    provider: r.provider,
    maxParticipants: r.maxParticipants,
    policy: r.policy,
    thresholdPercent: r.thresholdPercent,
    resourceLinkId: r.resourceLinkId,
  };
}
