/**
 * Collaborative code sessions: creating, editing, locking, forking and deleting them (their owner and the course's
 * staff), joining them (access code, max collaborators under the session row's lock, a student's own copy of an
 * exercise made on first open), the instructor's class grid, the LMS activities a session is handed out from, and
 * the session and course streams their pages follow.
 *
 * Who may do what is CollabAccess (collab/access.ts); a session's fields are checked by collab/session-input.ts; the
 * documents themselves (Yjs state, updates, copies) are CollabDocuments (collab/documents.ts). Every change is one
 * `realtime.write` with its events on the session's stream (`collab-session:<id>`: session.updated, session.deleted,
 * copy.created) and, for the list, on the course's (`collab-course:<courseId>`).
 */
import { and, desc, eq, inArray, isNotNull, isNull, ne, sql } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Emit, Realtime } from '../realtime/realtime.js';
import { isUuid } from '../auth/access.js';
import type { Viewer } from '../auth/viewer.js';
import type { ActivityService } from '../activity/service.js';
import type { CourseService } from '../courses/service.js';
import type { LtiService } from '../lti/service.js';
import type { Logger } from '../logger.js';
import { AppError, notFound } from '../errors.js';
import { users } from '../users/tables.js';
import { collabDocuments, collabMembers, collabSessions } from './tables.js';
import { collabCourseStream, collabSessionStream, type CollabMode } from './events.js';
import type { CollabAccess, CollabDocumentRow, CollabSessionRow } from './access.js';
import { documentView, type CollabDocuments } from './documents.js';
import type { CollabDocumentView } from './events.js';
import { checkSessionInput, type CheckedSession, type CollabSessionInput } from './session-input.js';

export type { CollabSessionInput };

/** A session as read: its row, its shared document, and the position of its stream the read reflects. */
export type CollabSessionView = CollabSessionRow & { sharedDocumentId: string; cursor: string };

/** A deep-linked LMS activity (our resource link) a session can be handed out from. */
export interface CollabActivityView {
  id: string;
  title: string | null;
}

/** A learner's copy of an exercise as the grid lists it: null document until they open the session. */
export interface CollabCopyOut {
  userId: string;
  userName: string;
  started: boolean;
  document: CollabDocumentView | null;
}

export interface CollabGridView {
  session: CollabSessionView;
  copies: CollabCopyOut[];
  cursor: string;
}

export interface CollabSessionEventOut {
  cursor: string;
  type: 'session.updated' | 'session.deleted' | 'copy.created';
  sessionId: string;
  session: CollabSessionView | null;
  copy: CollabCopyOut | null;
}

export interface CourseCollabSessionEventOut {
  cursor: string;
  type: 'session.created' | 'session.updated' | 'session.deleted';
  sessionId: string;
  session: CollabSessionView | null;
}

export interface CollabServiceDeps {
  db: Tx;
  realtime: Realtime;
  access: CollabAccess;
  documents: CollabDocuments;
  /** The course's active learners (the class grid). */
  courses: CourseService;
  /** The course's resource links (the activities a session is handed out from). */
  lti: LtiService;
  activity: ActivityService;
  config: { collabMaxDocumentChars: number };
  log: Logger;
  clock?: () => Date;
}

const MAX_LIST = 500;

const staffOnly = (what: string) => new AppError('FORBIDDEN', `Only the course's instructors can ${what}.`, { reason: 'STAFF_ONLY' });

export class CollabService {
  readonly access: CollabAccess;
  private readonly clock: () => Date;

  constructor(private readonly d: CollabServiceDeps) {
    this.access = d.access;
    this.clock = d.clock ?? (() => new Date());
  }

  // ---- reading ----

  /** One session, NOT_FOUND unless the viewer reads its course. */
  async get(viewer: Viewer, id: string): Promise<CollabSessionView> {
    if (!isUuid(id)) throw notFound('The collab session');
    // The head before the row: everything up to it is reflected by what is read after.
    const head = await this.d.realtime.head(collabSessionStream(id));
    const row = await this.access.readableSession(viewer, id);
    return (await this.views([row], new Map([[id, head]])))[0]!;
  }

  /** A course's sessions, newest first, with the course stream's position the list reflects. */
  async list(viewer: Viewer, courseId: string): Promise<{ sessions: CollabSessionView[]; cursor: string }> {
    if (!isUuid(courseId)) throw notFound('The course');
    await this.access.course.requireCourseRead(viewer, courseId);
    const cursor = String(await this.d.realtime.head(collabCourseStream(courseId)));
    const rows = await this.d.db
      .select()
      .from(collabSessions)
      .where(and(eq(collabSessions.courseId, courseId), eq(collabSessions.tenantId, viewer.tenantId)))
      .orderBy(desc(collabSessions.createdAt), desc(collabSessions.id))
      .limit(MAX_LIST);
    return { sessions: await this.views(rows), cursor };
  }

  /**
   * The session handed out from an LMS activity (the newest, when several were linked to it), for readers of its
   * course; null when none. NOT_FOUND for an activity the viewer cannot see.
   */
  async forActivity(viewer: Viewer, activityId: string): Promise<CollabSessionView | null> {
    if (!isUuid(activityId)) throw notFound('The activity');
    const link = await this.d.lti.resourceLink(activityId);
    if (!link || link.tenantId !== viewer.tenantId) throw notFound('The activity');
    await this.access.course.requireCourseRead(viewer, link.courseId).catch(() => {
      throw notFound('The activity');
    });
    const [row] = await this.d.db
      .select()
      .from(collabSessions)
      .where(and(eq(collabSessions.resourceLinkId, link.id), eq(collabSessions.courseId, link.courseId)))
      .orderBy(desc(collabSessions.createdAt), desc(collabSessions.id))
      .limit(1);
    return row ? (await this.views([row]))[0]! : null;
  }

  /** The course's deep-linked activities a session can be handed out from (staff): the Collab section's first. */
  async activities(viewer: Viewer, courseId: string): Promise<CollabActivityView[]> {
    if (!isUuid(courseId)) throw notFound('The course');
    await this.access.course.requireCourseRead(viewer, courseId);
    if (!(await this.access.isStaff(viewer, courseId))) throw staffOnly('link sessions to LMS activities');
    return this.d.lti.courseLinks(viewer.tenantId, courseId, 'collab', MAX_LIST);
  }

  /** The LMS activity a session is handed out from (null when none, or its link is gone). */
  async activity(row: CollabSessionRow): Promise<CollabActivityView | null> {
    if (!row.resourceLinkId) return null;
    const l = await this.d.lti.resourceLink(row.resourceLinkId);
    return l ? { id: l.id, title: l.title } : null;
  }

  /** The access code, for managers only (null for others and for sessions open to the course). */
  async accessCode(viewer: Viewer, row: CollabSessionRow): Promise<string | null> {
    if (row.visibility !== 'code') return null;
    return (await this.access.canManage(viewer, row)) ? row.accessCode : null;
  }

  /** People who joined (managers need not join and are not counted). */
  async collaboratorCount(row: CollabSessionRow): Promise<number> {
    const [r] = await this.d.db
      .select({ n: sql<number>`count(*)::int` })
      .from(collabMembers)
      .where(and(eq(collabMembers.sessionId, row.id), ne(collabMembers.userId, row.ownerId)));
    return Number(r?.n ?? 0);
  }

  async ownerName(row: CollabSessionRow): Promise<string> {
    const [u] = await this.d.db.select({ name: users.name }).from(users).where(eq(users.id, row.ownerId));
    return u?.name ?? 'Unknown';
  }

  canManage(viewer: Viewer, row: CollabSessionRow): Promise<boolean> {
    return this.access.canManage(viewer, row);
  }

  /** Whether the viewer may open the session's documents without joining: managers, or a person who joined. */
  async joined(viewer: Viewer, row: CollabSessionRow): Promise<boolean> {
    if (viewer.kind !== 'session') return false;
    if (await this.access.canManage(viewer, row)) return true;
    return this.access.hasJoined(row.id, viewer.userId);
  }

  /**
   * The document the viewer opens: the shared one for managers and in a SHARED session (once joined; API keys read
   * it), their own copy in a PER_STUDENT session once it is made; null before that.
   */
  async viewerDocumentId(viewer: Viewer, row: CollabSessionView): Promise<string | null> {
    if (await this.access.canManage(viewer, row)) return row.sharedDocumentId;
    if (viewer.kind !== 'session') return row.mode === 'shared' ? row.sharedDocumentId : null;
    if (!(await this.access.hasJoined(row.id, viewer.userId))) return null;
    if (row.mode === 'shared') return row.sharedDocumentId;
    const [own] = await this.d.db
      .select({ id: collabDocuments.id })
      .from(collabDocuments)
      .where(and(eq(collabDocuments.sessionId, row.id), eq(collabDocuments.ownerId, viewer.userId)));
    return own?.id ?? null;
  }

  // ---- creating and editing ----

  /**
   * Creates a session (any member of the course but a guest; API keys do not). Handing out an exercise (PER_STUDENT)
   * and linking an LMS activity are for staff. A PER_STUDENT session forks at once: every copy starts from the
   * starting code.
   */
  async create(viewer: Viewer, courseId: string, input: CollabSessionInput): Promise<CollabSessionView> {
    if (!isUuid(courseId)) throw notFound('The course');
    const person = await this.access.requirePerson(viewer, courseId);
    if ((input.mode === 'per_student' || input.activityId != null) && !(await this.access.isStaff(viewer, courseId)))
      throw staffOnly(input.mode === 'per_student' ? 'hand out an exercise per student' : 'link a session to an LMS activity');
    const f = await checkSessionInput(input, null, this.inputContext(viewer.tenantId, courseId));
    const tenantId = viewer.tenantId;
    const now = this.clock();
    const forkBase = f.mode === 'per_student' ? this.d.documents.initialState(f.startingCode) : null;
    const { row, sharedId } = await this.d.realtime.write(async (tx, emit) => {
      const [created] = await tx
        .insert(collabSessions)
        .values({
          tenantId,
          courseId,
          ownerId: person.userId,
          ...stored(f),
          mode: f.mode,
          forkBase,
          forkedAt: forkBase ? now : null,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      const shared = await this.d.documents.createShared(tx, { id: created!.id, tenantId, startingCode: f.startingCode });
      await this.audit(viewer, created!, 'create', undefined, auditable(created!));
      await emit(collabCourseStream(courseId), { tenantId, type: 'session.created', payload: { sessionId: created!.id } });
      return { row: created!, sharedId: shared.id };
    });
    return { ...row, sharedDocumentId: sharedId, cursor: '0' };
  }

  /** Edits a session (managers; linking an activity: staff). The documents keep their text: a reset applies new starting code. */
  async update(viewer: Viewer, id: string, input: CollabSessionInput): Promise<CollabSessionView> {
    const current = await this.access.readableSession(viewer, id);
    await this.access.requireManage(viewer, current);
    if ((input.activityId != null || input.clearActivity) && !(await this.access.isStaff(viewer, current.courseId)))
      throw staffOnly('link a session to an LMS activity');
    const f = await checkSessionInput({ ...input, mode: undefined }, current, this.inputContext(viewer.tenantId, current.courseId));
    const row = await this.d.realtime.write(async (tx, emit) => {
      const before = await this.lockSession(tx, id);
      const [updated] = await tx
        .update(collabSessions)
        .set({ ...stored(f), updatedAt: this.clock() })
        .where(eq(collabSessions.id, id))
        .returning();
      await this.audit(viewer, updated!, 'update', auditable(before), auditable(updated!));
      await this.emitUpdated(emit, updated!);
      return updated!;
    });
    return this.fresh(row);
  }

  /** Deletes a session (managers) with its documents, their update logs, versions and history. */
  async delete(viewer: Viewer, id: string): Promise<boolean> {
    const current = await this.access.readableSession(viewer, id);
    await this.access.requireManage(viewer, current);
    await this.d.realtime.write(async (tx, emit) => {
      const row = await this.lockSession(tx, id);
      const docs = await tx.select({ id: collabDocuments.id }).from(collabDocuments).where(eq(collabDocuments.sessionId, id));
      // Their logs are durable streams (the retention sweep leaves them alone): they go with the session.
      await this.d.documents.removeLogs(
        tx,
        docs.map((d) => d.id),
      );
      await tx.delete(collabSessions).where(eq(collabSessions.id, id));
      await this.audit(viewer, row, 'delete', auditable(row), undefined);
      await emit(collabSessionStream(id), { tenantId: row.tenantId, type: 'session.deleted', payload: { sessionId: id } });
      await emit(collabCourseStream(row.courseId), { tenantId: row.tenantId, type: 'session.deleted', payload: { sessionId: id } });
    });
    return true;
  }

  /** Locks the session (read-only for everyone but its managers) or unlocks it (managers). The same state again is a no-op. */
  async setLocked(viewer: Viewer, id: string, locked: boolean): Promise<CollabSessionView> {
    const current = await this.access.readableSession(viewer, id);
    await this.access.requireManage(viewer, current);
    const row = await this.d.realtime.write(async (tx, emit) => {
      const before = await this.lockSession(tx, id);
      if (before.locked === locked) return before;
      const [updated] = await tx
        .update(collabSessions)
        .set({ locked, updatedAt: this.clock() })
        .where(eq(collabSessions.id, id))
        .returning();
      await this.audit(viewer, updated!, locked ? 'lock' : 'unlock', { locked: before.locked }, { locked });
      await this.emitUpdated(emit, updated!);
      return updated!;
    });
    return this.fresh(row);
  }

  /**
   * Turns a SHARED session into an exercise (managers; CONFLICT when it already is one): every student gets their own
   * copy of the shared document as it is now, made when they open the session. The shared document stays, as the
   * exercise's template that only managers edit.
   */
  async fork(viewer: Viewer, id: string): Promise<CollabSessionView> {
    const current = await this.access.readableSession(viewer, id);
    await this.access.requireManage(viewer, current);
    if (current.mode === 'per_student') throw alreadyForked();
    const shared = await this.sharedDocument(id);
    // Read before the write (its own snapshot: never inside another transaction, which PGlite would wait on forever).
    const base = await this.d.documents.currentState(shared.id);
    const row = await this.d.realtime.write(async (tx, emit) => {
      const before = await this.lockSession(tx, id);
      if (before.mode === 'per_student') throw alreadyForked();
      const now = this.clock();
      const [updated] = await tx
        .update(collabSessions)
        .set({ mode: 'per_student', forkBase: base.state, forkedAt: now, updatedAt: now })
        .where(eq(collabSessions.id, id))
        .returning();
      await this.audit(viewer, updated!, 'fork', { mode: before.mode }, { mode: 'per_student', sharedSeq: base.seq });
      await this.emitUpdated(emit, updated!);
      return updated!;
    });
    return this.fresh(row);
  }

  // ---- joining ----

  /**
   * Joins the session and answers the document the viewer opens. The first time: the access code of a private
   * session (ACCESS_CODE_REQUIRED / ACCESS_CODE_INVALID) and room under max collaborators (SESSION_FULL), counted
   * under the session row's lock so that concurrent joins never pass it. Again: nothing more is asked. In an exercise
   * the student's own copy is made from the fork base on first open (`copy.created` on the session stream). Managers
   * need neither code nor room and get the shared document. Guests and API keys do not join (FORBIDDEN).
   */
  async join(viewer: Viewer, id: string, accessCode: string | null): Promise<CollabDocumentView> {
    const session = await this.access.readableSession(viewer, id);
    const person = await this.access.requirePerson(viewer, session.courseId);
    if (await this.access.canManage(viewer, session)) return this.d.documents.view(viewer, session, await this.sharedDocument(id));
    const { row, doc } = await this.d.realtime.write(async (tx, emit) => {
      const locked = await this.lockSession(tx, id);
      if (!(await this.access.hasJoined(id, person.userId, tx))) {
        this.access.checkAccessCode(locked, accessCode);
        if (locked.maxCollaborators !== null) {
          const [n] = await tx
            .select({ n: sql<number>`count(*)::int` })
            .from(collabMembers)
            .where(and(eq(collabMembers.sessionId, id), ne(collabMembers.userId, locked.ownerId)));
          if (Number(n?.n ?? 0) >= locked.maxCollaborators)
            throw new AppError('SESSION_FULL', `This session is full (${locked.maxCollaborators} collaborators).`, {
              maxCollaborators: locked.maxCollaborators,
            });
        }
        await tx.insert(collabMembers).values({ sessionId: id, userId: person.userId, tenantId: locked.tenantId }).onConflictDoNothing();
      }
      if (locked.mode !== 'per_student') return { row: locked, doc: await this.sharedDocument(id, tx) };
      const [own] = await tx
        .select()
        .from(collabDocuments)
        .where(and(eq(collabDocuments.sessionId, id), eq(collabDocuments.ownerId, person.userId)));
      if (own) return { row: locked, doc: own };
      // The session row's lock serialises a person's tabs opening at once: one copy, made by the first.
      const copy = await this.d.documents.createCopy(tx, locked, person.userId);
      const [u] = await tx.select({ name: users.name }).from(users).where(eq(users.id, person.userId));
      await emit(collabSessionStream(id), {
        tenantId: locked.tenantId,
        type: 'copy.created',
        payload: {
          copy: {
            documentId: copy.id,
            sessionId: id,
            userId: person.userId,
            userName: u?.name ?? 'Unknown',
            createdAt: copy.createdAt.toISOString(),
          },
        },
      });
      return { row: locked, doc: copy };
    });
    return this.d.documents.view(viewer, row, doc);
  }

  // ---- the class grid ----

  /**
   * Every active learner of the course (and anyone else who joined), by name, with their copy of the exercise (null
   * until they open it) and whether they have started typing; managers only. `cursor`: the session stream position it
   * reflects (copy.created events after it).
   */
  async grid(viewer: Viewer, sessionId: string): Promise<CollabGridView> {
    if (!isUuid(sessionId)) throw notFound('The collab session');
    const head = await this.d.realtime.head(collabSessionStream(sessionId));
    const row = await this.access.readableSession(viewer, sessionId);
    await this.access.requireManage(viewer, row);
    const [session] = await this.views([row], new Map([[sessionId, head]]));
    const learners = await this.d.courses.activeLearners(row.courseId, null);
    const members = await this.d.db
      .select({ userId: collabMembers.userId, name: users.name })
      .from(collabMembers)
      .innerJoin(users, eq(users.id, collabMembers.userId))
      .where(eq(collabMembers.sessionId, sessionId));
    const people = new Map<string, string>();
    for (const l of learners) people.set(l.userId, l.name);
    for (const m of members) people.set(m.userId, m.name);
    people.delete(row.ownerId);
    const docs = await this.d.db
      .select()
      .from(collabDocuments)
      .where(and(eq(collabDocuments.sessionId, sessionId), isNotNull(collabDocuments.ownerId)));
    // Every copy's state in one read; a manager reads and edits every copy (the checks above), so the views are made here.
    const states = await this.d.documents.statesOf(docs.map((d) => d.id));
    const byOwner = new Map(docs.map((d) => [d.ownerId!, d]));
    const copies = [...people]
      .map(([userId, userName]): CollabCopyOut => {
        const doc = byOwner.get(userId);
        const state = doc && states.get(doc.id);
        const document = doc && state ? documentView(row, doc, state, userName, { edit: true, manage: true }) : null;
        return { userId, userName, started: !!doc?.startedAt, document };
      })
      .sort((a, b) => a.userName.localeCompare(b.userName) || a.userId.localeCompare(b.userId));
    return { session: session!, copies, cursor: String(head) };
  }

  // ---- following ----

  /**
   * A session's events from `after` (CollabSession.cursor or CollabGrid.cursor): session.updated (with the session
   * now), session.deleted (the last), copy.created (managers see every student's; a student only their own).
   */
  async followSession(
    viewer: Viewer,
    sessionId: string,
    after: number | null,
    signal: AbortSignal | undefined,
  ): Promise<AsyncIterable<CollabSessionEventOut>> {
    const session = await this.access.readableSession(viewer, sessionId);
    const courseId = session.courseId;
    const manage = await this.access.canManage(viewer, session);
    const me = viewer.kind === 'session' ? viewer.userId : null;
    const source = this.d.realtime.subscribe(collabSessionStream(sessionId), {
      after,
      signal,
      authorize: () => this.access.canFollow(viewer, courseId),
    });
    return {
      [Symbol.asyncIterator]: async function* (this: CollabService) {
        for await (const d of source) {
          if (d.kind !== 'event') continue;
          const ev = d.event;
          const base = { cursor: String(ev.seq), sessionId, session: null, copy: null };
          if (ev.type === 'session.deleted') {
            yield { ...base, type: ev.type };
            return;
          }
          if (ev.type === 'session.updated') {
            const now = await this.get(viewer, sessionId).catch(() => null);
            yield { ...base, type: ev.type, session: now };
            continue;
          }
          const c = ev.payload.copy;
          if (!manage && c.userId !== me) continue;
          yield { ...base, type: ev.type, copy: await this.copyOf(viewer, sessionId, c.documentId, c.userId, c.userName) };
        }
      }.bind(this),
    };
  }

  /** A course's list of sessions as it changes, from `after` (CourseCollabSessions.cursor); each session read for the viewer. */
  async followCourse(
    viewer: Viewer,
    courseId: string,
    after: number | null,
    signal: AbortSignal | undefined,
  ): Promise<AsyncIterable<CourseCollabSessionEventOut>> {
    if (!isUuid(courseId)) throw notFound('The course');
    await this.access.course.requireCourseRead(viewer, courseId);
    const source = this.d.realtime.subscribe(collabCourseStream(courseId), {
      after,
      signal,
      authorize: () => this.access.canFollow(viewer, courseId),
    });
    return {
      [Symbol.asyncIterator]: async function* (this: CollabService) {
        for await (const d of source) {
          if (d.kind !== 'event') continue;
          const { sessionId } = d.event.payload;
          const session = d.event.type === 'session.deleted' ? null : await this.get(viewer, sessionId).catch(() => null);
          yield { cursor: String(d.event.seq), type: d.event.type, sessionId, session };
        }
      }.bind(this),
    };
  }

  // ---- internals ----

  /** Rows as views: their shared documents (one read) and their streams' heads (given, or one read). */
  private async views(rows: CollabSessionRow[], heads?: Map<string, number>): Promise<CollabSessionView[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const shared = await this.d.db
      .select({ id: collabDocuments.id, sessionId: collabDocuments.sessionId })
      .from(collabDocuments)
      .where(and(inArray(collabDocuments.sessionId, ids), isNull(collabDocuments.ownerId)));
    const sharedOf = new Map(shared.map((s) => [s.sessionId, s.id]));
    let cursors: Map<string, number>;
    if (heads) cursors = heads;
    else {
      const byStream = await this.d.realtime.heads(ids.map((id) => collabSessionStream(id)));
      cursors = new Map(ids.map((id) => [id, byStream.get(collabSessionStream(id)) ?? 0]));
    }
    return rows.map((r) => {
      const sharedDocumentId = sharedOf.get(r.id);
      if (!sharedDocumentId) throw new Error(`collab: session ${r.id} has no shared document`);
      return { ...r, sharedDocumentId, cursor: String(cursors.get(r.id) ?? 0) };
    });
  }

  /** A session as written just now, with its shared document and its stream's head: what a mutation answers with. */
  private async fresh(row: CollabSessionRow): Promise<CollabSessionView> {
    return (await this.views([row]))[0]!;
  }

  /** The session's row under `for update` (joins counted, forks and edits serialised); NOT_FOUND once deleted. */
  private async lockSession(tx: Tx, id: string): Promise<CollabSessionRow> {
    const [row] = await tx.select().from(collabSessions).where(eq(collabSessions.id, id)).for('update');
    if (!row) throw notFound('The collab session');
    return row;
  }

  private async sharedDocument(sessionId: string, db: Tx = this.d.db): Promise<CollabDocumentRow> {
    const [doc] = await db
      .select()
      .from(collabDocuments)
      .where(and(eq(collabDocuments.sessionId, sessionId), isNull(collabDocuments.ownerId)));
    if (!doc) throw notFound('The document');
    return doc;
  }

  /** A copy as an event carries it, read for the viewer (its document null when it is gone or not theirs to read). */
  private async copyOf(viewer: Viewer, sessionId: string, documentId: string, userId: string, userName: string): Promise<CollabCopyOut> {
    const [doc] = await this.d.db.select().from(collabDocuments).where(eq(collabDocuments.id, documentId));
    const session = doc ? await this.access.readableSession(viewer, sessionId).catch(() => null) : null;
    const document = doc && session ? await this.d.documents.view(viewer, session, doc).catch(() => null) : null;
    return { userId, userName, started: !!doc?.startedAt, document };
  }

  private async emitUpdated(emit: Emit, row: CollabSessionRow): Promise<void> {
    const payload = {
      sessionId: row.id,
      locked: row.locked,
      mode: row.mode as CollabMode,
      title: row.title,
      updatedAt: row.updatedAt.toISOString(),
    };
    await emit(collabSessionStream(row.id), { tenantId: row.tenantId, type: 'session.updated', payload });
    await emit(collabCourseStream(row.courseId), { tenantId: row.tenantId, type: 'session.updated', payload: { sessionId: row.id } });
  }

  private audit(viewer: Viewer, row: CollabSessionRow, action: string, before: unknown, after: unknown): Promise<void> {
    return this.d.activity.recordAudit({
      tenantId: row.tenantId,
      courseId: row.courseId,
      by: viewer,
      entity: 'collab_session',
      entityId: row.id,
      action,
      before,
      after,
    });
  }

  /** What checkSessionInput (collab/session-input.ts) needs beyond the input: the course, the size limit, its links. */
  private inputContext(tenantId: string, courseId: string) {
    return {
      tenantId,
      courseId,
      maxDocumentChars: this.d.config.collabMaxDocumentChars,
      resourceLink: (id: string) => this.d.lti.resourceLink(id),
    };
  }
}

const alreadyForked = () => new AppError('CONFLICT', 'This session is already an exercise: every student has their own copy.');

/** The checked fields that are columns as they are. */
function stored(f: CheckedSession) {
  return {
    title: f.title,
    description: f.description,
    language: f.language,
    startingCode: f.startingCode,
    visibility: f.visibility,
    accessCode: f.accessCode,
    maxCollaborators: f.maxCollaborators,
    resourceLinkId: f.resourceLinkId,
  };
}

/** What the audit log keeps of a session (never its access code or code). */
function auditable(r: CollabSessionRow) {
  return {
    title: r.title,
    language: r.language,
    visibility: r.visibility,
    maxCollaborators: r.maxCollaborators,
    resourceLinkId: r.resourceLinkId,
    mode: r.mode,
    locked: r.locked,
  };
}
