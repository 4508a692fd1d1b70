/**
 * The attendance ledger of live classes: who has been admitted to a class (`live_attendees`; max participants counted
 * under the class row's lock, hosts never) and their stretches of presence (`live_intervals`), kept for good.
 *
 * Joining opens a stretch of presence (or keeps the open one); heartbeats (the person's open subscription to the
 * class, or `liveHeartbeat`) move its `last_seen_at`; a heartbeat or join after more than the grace period closes the
 * old stretch at `last_seen_at` and opens a new one (a reconnect within it keeps the stretch); leaving closes it now;
 * the sweep closes stretches not seen for longer than the grace period at their `last_seen_at`; ending the class
 * closes every open one at the end. Minutes present are computed from the stretches (live/attendance.ts).
 *
 * LiveService builds it with its own clock and settings and hands its operations on (live/service.ts); every change
 * is one `realtime.write` with its participant events on the class's stream.
 */
import { and, desc, eq, gt, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Emit, Realtime } from '../realtime/realtime.js';
import type { Viewer } from '../auth/viewer.js';
import type { Logger } from '../logger.js';
import { AppError } from '../errors.js';
import { users } from '../users/tables.js';
import { onAbort } from '../abort.js';
import { liveAttendees, liveClasses, liveIntervals } from './tables.js';
import { liveStream, type LiveParticipantView } from './events.js';
import type { LiveAccess, LiveClassRow } from './access.js';
import { presentNow } from './attendance.js';

export interface LiveLedgerDeps {
  db: Tx;
  realtime: Realtime;
  liveAccess: LiveAccess;
  /** A stretch not renewed for longer than this closes at its last sign of life (config.liveGraceSeconds). */
  graceSeconds: number;
  /** How often an open class subscription renews its person's presence (config.liveHeartbeatSeconds). */
  heartbeatSeconds: number;
  log: Logger;
  clock: () => Date;
}

/** Stale stretches closed per sweep statement. */
const SWEEP_BATCH = 1000;

export class LiveLedger {
  private readonly access: LiveAccess;
  private readonly clock: () => Date;
  private readonly graceMs: number;

  constructor(private readonly d: LiveLedgerDeps) {
    this.access = d.liveAccess;
    this.clock = d.clock;
    this.graceMs = d.graceSeconds * 1000;
  }

  // ---- who is in the class ----

  /** Whether the viewer (a person) has been admitted to the class. */
  async joined(viewer: Viewer, row: LiveClassRow): Promise<boolean> {
    if (viewer.kind !== 'session') return false;
    const [a] = await this.d.db
      .select({ userId: liveAttendees.userId })
      .from(liveAttendees)
      .where(and(eq(liveAttendees.classId, row.id), eq(liveAttendees.userId, viewer.userId), gt(liveAttendees.joins, 0)));
    return !!a;
  }

  /**
   * Participants admitted (hosts not counted). Learners who never joined get a row when the class ends (their
   * attendance of 0 minutes, graded): `joins > 0` leaves them out here and in `participants`.
   */
  async participantCount(row: LiveClassRow): Promise<number> {
    const [r] = await this.d.db
      .select({ n: sql<number>`count(*)::int` })
      .from(liveAttendees)
      .where(and(eq(liveAttendees.classId, row.id), eq(liveAttendees.role, 'participant'), gt(liveAttendees.joins, 0)));
    return Number(r?.n ?? 0);
  }

  /** Everyone admitted, hosts first, then by name, with whether they are in the class now. */
  async participants(row: LiveClassRow): Promise<LiveParticipantView[]> {
    const people = await this.d.db
      .select({ userId: liveAttendees.userId, role: liveAttendees.role, name: users.name })
      .from(liveAttendees)
      .innerJoin(users, eq(users.id, liveAttendees.userId))
      .where(and(eq(liveAttendees.classId, row.id), gt(liveAttendees.joins, 0)));
    const open = await this.d.db
      .select({
        userId: liveIntervals.userId,
        joinedAt: liveIntervals.joinedAt,
        lastSeenAt: liveIntervals.lastSeenAt,
        leftAt: liveIntervals.leftAt,
      })
      .from(liveIntervals)
      .where(and(eq(liveIntervals.classId, row.id), isNull(liveIntervals.leftAt)));
    const now = this.clock();
    const here = new Set(open.filter((i) => presentNow([i], now, this.graceMs)).map((i) => i.userId));
    return people
      .map((p) => ({ userId: p.userId, userName: p.name, role: p.role as 'host' | 'participant', present: here.has(p.userId) }))
      .sort((a, b) => (a.role === b.role ? a.userName.localeCompare(b.userName) : a.role === 'host' ? -1 : 1));
  }

  // ---- joining, staying, leaving ----

  /**
   * Admits the person the first time (CLASS_FULL once max participants are admitted; hosts never count), opens a
   * stretch of presence (or keeps the open one) and counts the join. Returns the class as read under its lock,
   * whether the person hosts it, and who they are.
   */
  async admit(viewer: Viewer, id: string): Promise<{ row: LiveClassRow; host: boolean; userId: string }> {
    const current = await this.access.readableClass(viewer, id);
    const person = await this.access.requirePerson(viewer, current.courseId);
    const host = await this.access.isHost(viewer, current.courseId);
    const tenantId = viewer.tenantId;
    const row = await this.d.realtime.write(async (tx, emit) => {
      const locked = await this.access.lockedClass(viewer, id, tx);
      if (locked.state !== 'live')
        throw new AppError('CLASS_NOT_LIVE', locked.state === 'ended' ? 'This class has ended.' : 'This class has not started yet.', {
          state: locked.state,
        });
      const [admitted] = await tx
        .select({ role: liveAttendees.role })
        .from(liveAttendees)
        .where(and(eq(liveAttendees.classId, id), eq(liveAttendees.userId, person.userId)));
      let role = admitted?.role as 'host' | 'participant' | undefined;
      if (!role) {
        role = host ? 'host' : 'participant';
        if (!host && locked.maxParticipants !== null) {
          const [n] = await tx
            .select({ n: sql<number>`count(*)::int` })
            .from(liveAttendees)
            .where(and(eq(liveAttendees.classId, id), eq(liveAttendees.role, 'participant')));
          if (Number(n?.n ?? 0) >= locked.maxParticipants)
            throw new AppError('CLASS_FULL', `This class is full (${locked.maxParticipants} participants).`, {
              maxParticipants: locked.maxParticipants,
            });
        }
        await tx.insert(liveAttendees).values({ classId: id, userId: person.userId, tenantId, role, admittedAt: this.clock() });
      }
      await tx
        .update(liveAttendees)
        .set({ joins: sql`${liveAttendees.joins} + 1` })
        .where(and(eq(liveAttendees.classId, id), eq(liveAttendees.userId, person.userId)));
      await this.presence(tx, emit, locked, person.userId, true);
      return locked;
    });
    return { row, host, userId: person.userId };
  }

  /** Leaves the class: the open stretch closes now (reason left). False when the person was not in it. */
  async leave(viewer: Viewer, id: string): Promise<boolean> {
    const current = await this.access.readableClass(viewer, id);
    const person = await this.access.requirePerson(viewer, current.courseId);
    return this.d.realtime.write(async (tx, emit) => {
      const [open] = await tx
        .select()
        .from(liveIntervals)
        .where(and(eq(liveIntervals.classId, id), eq(liveIntervals.userId, person.userId), isNull(liveIntervals.leftAt)))
        .for('update');
      if (!open) return false;
      const now = this.clock();
      const stale = now.getTime() - open.lastSeenAt.getTime() > this.graceMs;
      await tx
        .update(liveIntervals)
        .set(stale ? { leftAt: open.lastSeenAt, endReason: 'timeout' } : { leftAt: now, lastSeenAt: now, endReason: 'left' })
        .where(eq(liveIntervals.id, open.id));
      await this.emitParticipant(tx, emit, current, person.userId, 'participant.left', false);
      return true;
    });
  }

  /**
   * A sign of life of a person in the class (`liveHeartbeat`, for clients without a subscription): the class is live
   * and the person admitted, else CLASS_NOT_LIVE / NOT_JOINED. False when they are not in it (they left).
   */
  async heartbeat(viewer: Viewer, id: string): Promise<boolean> {
    const row = await this.access.readableClass(viewer, id);
    const person = await this.access.requireInClass(viewer, row);
    return this.renew(row.id, person.userId);
  }

  /**
   * Closes stretches of presence not renewed for longer than the grace period, at their last sign of life (reason
   * timeout), and tells each class who left. Returns how many closed. Run every 15 s (live/jobs.ts).
   */
  async sweep(): Promise<number> {
    const staleBefore = new Date(this.clock().getTime() - this.graceMs);
    let total = 0;
    for (;;) {
      const closed = await this.d.realtime.write(async (tx, emit) => {
        const rows = await tx
          .update(liveIntervals)
          .set({ leftAt: sql`${liveIntervals.lastSeenAt}`, endReason: 'timeout' })
          .where(
            and(
              inArray(
                liveIntervals.id,
                tx
                  .select({ id: liveIntervals.id })
                  .from(liveIntervals)
                  .where(and(isNull(liveIntervals.leftAt), lt(liveIntervals.lastSeenAt, staleBefore)))
                  .limit(SWEEP_BATCH),
              ),
              // Checked again on the row itself: a heartbeat or a leave that committed meanwhile wins.
              isNull(liveIntervals.leftAt),
              lt(liveIntervals.lastSeenAt, staleBefore),
            ),
          )
          .returning({ classId: liveIntervals.classId, userId: liveIntervals.userId, tenantId: liveIntervals.tenantId });
        if (rows.length === 0) return 0;
        const people = await tx
          .select({ classId: liveAttendees.classId, userId: liveAttendees.userId, role: liveAttendees.role, name: users.name })
          .from(liveAttendees)
          .innerJoin(users, eq(users.id, liveAttendees.userId))
          .where(
            inArray(
              liveAttendees.classId,
              rows.map((r) => r.classId),
            ),
          );
        const who = new Map(people.map((p) => [`${p.classId}:${p.userId}`, p]));
        for (const r of rows) {
          const p = who.get(`${r.classId}:${r.userId}`);
          await emit(liveStream(r.classId), {
            tenantId: r.tenantId,
            type: 'participant.left',
            payload: {
              participant: {
                userId: r.userId,
                userName: p?.name ?? 'Someone',
                role: (p?.role as 'host' | 'participant') ?? 'participant',
                present: false,
              },
            },
          });
        }
        return rows.length;
      });
      total += closed;
      if (closed < SWEEP_BATCH) return total;
    }
  }

  /** Renews a person's presence now and every liveHeartbeatSeconds until stopped, aborted, or the class is over. */
  keepAlive(classId: string, userId: string, signal: AbortSignal | undefined): () => void {
    let timer: NodeJS.Timeout | null = null;
    const stop = () => {
      if (timer) clearInterval(timer);
      timer = null;
    };
    const tick = () => {
      this.renew(classId, userId)
        .then(async (present) => {
          if (present) return;
          const [row] = await this.d.db.select({ state: liveClasses.state }).from(liveClasses).where(eq(liveClasses.id, classId));
          if (!row || row.state === 'ended') stop();
        })
        .catch((err: unknown) => this.d.log.warn({ err: (err as Error).message, classId }, 'live: presence not renewed'));
    };
    timer = setInterval(tick, this.d.heartbeatSeconds * 1000);
    timer.unref();
    onAbort(signal, stop);
    tick();
    return stop;
  }

  /**
   * Closes every open stretch of an ending class (in the transaction that ends it): at `now` (reason ended), or at
   * its last sign of life for a person gone longer than the grace period (reason timeout).
   */
  async closeAll(tx: Tx, classId: string, now: Date): Promise<void> {
    const staleBefore = new Date(now.getTime() - this.graceMs);
    await tx
      .update(liveIntervals)
      .set({
        leftAt: sql`case when ${liveIntervals.lastSeenAt} < ${staleBefore.toISOString()}::timestamptz then ${liveIntervals.lastSeenAt} else ${now.toISOString()}::timestamptz end`,
        endReason: sql`case when ${liveIntervals.lastSeenAt} < ${staleBefore.toISOString()}::timestamptz then 'timeout' else 'ended' end`,
      })
      .where(and(eq(liveIntervals.classId, classId), isNull(liveIntervals.leftAt)));
  }

  // ---- internals ----

  /**
   * Renews a person's presence: one statement while they are within the grace period; otherwise the old stretch
   * closes at its last sign of life and a new one opens (a return after a timeout, too). Nothing for a person who
   * left, was never admitted, or a class not live. Returns whether they are present.
   */
  private async renew(classId: string, userId: string): Promise<boolean> {
    const now = this.clock();
    const kept = await this.d.db
      .update(liveIntervals)
      .set({ lastSeenAt: now })
      .where(
        and(
          eq(liveIntervals.classId, classId),
          eq(liveIntervals.userId, userId),
          isNull(liveIntervals.leftAt),
          sql`${liveIntervals.lastSeenAt} >= ${new Date(now.getTime() - this.graceMs).toISOString()}::timestamptz`,
          sql`exists (select 1 from live_classes c where c.id = ${classId} and c.state = 'live')`,
        ),
      )
      .returning({ id: liveIntervals.id });
    if (kept.length > 0) return true;
    // Most who get here have nothing to renew (not admitted, left on purpose): found out without a lock.
    if (!this.mayReturn(await this.lastInterval(this.d.db, classId, userId))) return false;
    return this.d.realtime.write(async (tx, emit) => {
      const [row] = await tx.select().from(liveClasses).where(eq(liveClasses.id, classId)).for('update');
      if (!row || row.state !== 'live') return false;
      const [admitted] = await tx
        .select({ role: liveAttendees.role })
        .from(liveAttendees)
        .where(and(eq(liveAttendees.classId, classId), eq(liveAttendees.userId, userId)));
      if (!admitted) return false;
      // Left on purpose (or never there): a heartbeat does not bring them back; a timeout does.
      if (!this.mayReturn(await this.lastInterval(tx, classId, userId))) return false;
      await this.presence(tx, emit, row, userId, false);
      return true;
    });
  }

  private async lastInterval(db: Tx, classId: string, userId: string) {
    const [last] = await db
      .select({ leftAt: liveIntervals.leftAt, endReason: liveIntervals.endReason })
      .from(liveIntervals)
      .where(and(eq(liveIntervals.classId, classId), eq(liveIntervals.userId, userId)))
      .orderBy(desc(liveIntervals.joinedAt))
      .limit(1);
    return last;
  }

  /** Whether a heartbeat may bring a person back: they are in the class, or their last stretch timed out. */
  private mayReturn(last: { leftAt: Date | null; endReason: string | null } | undefined): boolean {
    return !!last && (last.leftAt === null || last.endReason === 'timeout');
  }

  /**
   * Opens or keeps a person's stretch of presence (join: `counted` when the join was already counted). A stretch
   * within the grace period is kept (its last sign of life moves to now); a stale one closes at its last sign of
   * life and a new one opens. Emits participant.joined when a stretch opens.
   */
  private async presence(tx: Tx, emit: Emit, row: LiveClassRow, userId: string, counted: boolean): Promise<void> {
    const now = this.clock();
    const [open] = await tx
      .select()
      .from(liveIntervals)
      .where(and(eq(liveIntervals.classId, row.id), eq(liveIntervals.userId, userId), isNull(liveIntervals.leftAt)))
      .for('update');
    if (open && now.getTime() - open.lastSeenAt.getTime() <= this.graceMs) {
      await tx.update(liveIntervals).set({ lastSeenAt: now }).where(eq(liveIntervals.id, open.id));
      return;
    }
    if (open) await tx.update(liveIntervals).set({ leftAt: open.lastSeenAt, endReason: 'timeout' }).where(eq(liveIntervals.id, open.id));
    await tx.insert(liveIntervals).values({ tenantId: row.tenantId, classId: row.id, userId, joinedAt: now, lastSeenAt: now });
    if (!counted)
      await tx
        .update(liveAttendees)
        .set({ joins: sql`${liveAttendees.joins} + 1` })
        .where(and(eq(liveAttendees.classId, row.id), eq(liveAttendees.userId, userId)));
    await this.emitParticipant(tx, emit, row, userId, 'participant.joined', true);
  }

  private async emitParticipant(
    tx: Tx,
    emit: Emit,
    row: LiveClassRow,
    userId: string,
    type: 'participant.joined' | 'participant.left',
    present: boolean,
  ): Promise<void> {
    const [p] = await tx
      .select({ role: liveAttendees.role, name: users.name })
      .from(liveAttendees)
      .innerJoin(users, eq(users.id, liveAttendees.userId))
      .where(and(eq(liveAttendees.classId, row.id), eq(liveAttendees.userId, userId)));
    await emit(liveStream(row.id), {
      tenantId: row.tenantId,
      type,
      payload: {
        participant: { userId, userName: p?.name ?? 'Someone', role: (p?.role as 'host' | 'participant') ?? 'participant', present },
      },
    });
  }
}
