/**
 * The collab rules, in one place: who sees a session, who joins it, who reads and who edits each document, who manages.
 * Built once in services.ts and handed to every collab service. It stands on the course-level checks (auth/access.ts).
 *
 * - Sees a session (the course's list, its title and rules): whoever reads its course (members, guests, API keys
 *   with the read scope that reach it).
 * - Manages it (edit, delete, lock, reset, fork per student, the class grid, replay of any copy, restoring versions,
 *   seeing the access code): its owner and the course's staff (instructors, TAs, administrators).
 * - Joins it: a member of the course but a guest, with the access code when the session is private (`code`), while
 *   fewer than `max_collaborators` have joined (SESSION_FULL). Managers need not join.
 * - Reads a document: managers; the shared document: people who joined (API keys with read scope too); a student's
 *   copy: that student. Edits it: managers always; otherwise the shared document of a `shared` session by people who
 *   joined, a copy by its student, and never while the session is locked (DOCUMENT_LOCKED).
 *
 * Checks read through the course checks' own connection: never call them inside a transaction (check, then write).
 */
import { and, eq } from 'drizzle-orm';
import { timingSafeEqual } from 'node:crypto';
import type { Tx } from '../db/client.js';
import { AppError, notFound } from '../errors.js';
import { isUuid, type Access } from '../auth/access.js';
import type { Viewer } from '../auth/viewer.js';
import { isGuest, isStaff } from '../courses/roles.js';
import { collabDocuments, collabMembers, collabSessions } from './tables.js';

export type CollabSessionRow = typeof collabSessions.$inferSelect;
export type CollabDocumentRow = typeof collabDocuments.$inferSelect;
type Person = Extract<Viewer, { kind: 'session' }>;

/** What a viewer may do with one document (decided once when it is opened; edits re-check the lock). */
export interface DocumentRights {
  read: boolean;
  edit: boolean;
  manage: boolean;
}

export class CollabAccess {
  constructor(
    private readonly db: Tx,
    /** The course-level checks (membership, roles, API key reach). */
    readonly course: Access,
  ) {}

  /** The session if the viewer may see it; NOT_FOUND otherwise (unknown id, another tenant, no access to the course). */
  async readableSession(viewer: Viewer, sessionId: string): Promise<CollabSessionRow> {
    if (!isUuid(sessionId)) throw notFound('The collab session');
    const [row] = await this.db.select().from(collabSessions).where(eq(collabSessions.id, sessionId));
    if (!row || row.tenantId !== viewer.tenantId) throw notFound('The collab session');
    await this.course.requireCourseRead(viewer, row.courseId).catch(() => {
      throw notFound('The collab session');
    });
    return row;
  }

  /** A document with its session, if the viewer may see the session (NOT_FOUND otherwise; reading it is `rights`). */
  async documentWithSession(viewer: Viewer, documentId: string): Promise<{ doc: CollabDocumentRow; session: CollabSessionRow }> {
    if (!isUuid(documentId)) throw notFound('The document');
    const [doc] = await this.db.select().from(collabDocuments).where(eq(collabDocuments.id, documentId));
    if (!doc || doc.tenantId !== viewer.tenantId) throw notFound('The document');
    const session = await this.readableSession(viewer, doc.sessionId).catch(() => {
      throw notFound('The document');
    });
    return { doc, session };
  }

  /** Whether the viewer is staff of the course now (instructor, TA, administrator). Never throws. */
  async isStaff(viewer: Viewer, courseId: string): Promise<boolean> {
    if (viewer.kind !== 'session') return false;
    const m = await this.course.membership(courseId, viewer.userId);
    return !!m && m.active && m.tenantId === viewer.tenantId && isStaff(m.roles);
  }

  /** Owner or course staff. Never throws. */
  async canManage(viewer: Viewer, session: CollabSessionRow): Promise<boolean> {
    if (viewer.kind !== 'session') return false;
    if (session.ownerId === viewer.userId) {
      const m = await this.course.membership(session.courseId, viewer.userId);
      return !!m && m.active;
    }
    return this.isStaff(viewer, session.courseId);
  }

  /** FORBIDDEN unless the viewer manages the session (after the read check). */
  async requireManage(viewer: Viewer, session: CollabSessionRow): Promise<Person> {
    if (viewer.kind !== 'session' || !(await this.canManage(viewer, session)))
      throw new AppError('FORBIDDEN', "Only the session's owner and the course's instructors can do this.");
    return viewer;
  }

  /**
   * A person who may create sessions and join them: a member of the course but a guest. API keys read and never act
   * (FORBIDDEN, reason API_KEY); guests get FORBIDDEN with reason GUEST.
   */
  async requirePerson(viewer: Viewer, courseId: string): Promise<Person> {
    if (viewer.kind !== 'session')
      throw new AppError('FORBIDDEN', 'API keys read collab sessions; they do not edit.', { reason: 'API_KEY' });
    await this.course.requireCourseRead(viewer, courseId);
    const m = await this.course.membership(courseId, viewer.userId);
    if (!m || !m.active || isGuest(m.roles))
      throw new AppError('FORBIDDEN', 'Guests of this course can watch, not edit. Ask your instructor to enrol you.', { reason: 'GUEST' });
    return viewer;
  }

  /** Whether the person joined the session (a `collab_members` row). */
  async hasJoined(sessionId: string, userId: string, db: Tx = this.db): Promise<boolean> {
    const [row] = await db
      .select({ userId: collabMembers.userId })
      .from(collabMembers)
      .where(and(eq(collabMembers.sessionId, sessionId), eq(collabMembers.userId, userId)));
    return !!row;
  }

  /** ACCESS_CODE_REQUIRED / ACCESS_CODE_INVALID unless `code` opens the private session (compared in constant time). */
  checkAccessCode(session: CollabSessionRow, code: string | null | undefined): void {
    if (session.visibility !== 'code') return;
    if (!code) throw new AppError('ACCESS_CODE_REQUIRED', 'This session is private: enter its access code.');
    const want = Buffer.from(session.accessCode ?? '', 'utf8');
    const got = Buffer.from(code.trim().toUpperCase(), 'utf8');
    if (want.length !== got.length || !timingSafeEqual(want, got))
      throw new AppError('ACCESS_CODE_INVALID', 'That access code is not right. Check it with whoever shared the session.');
  }

  /** What the viewer may do with a document of a session (see the header). Never throws. */
  async rights(viewer: Viewer, session: CollabSessionRow, doc: Pick<CollabDocumentRow, 'ownerId'>): Promise<DocumentRights> {
    if (await this.canManage(viewer, session)) return { read: true, edit: true, manage: true };
    if (viewer.kind !== 'session') {
      // API keys that read the course read its documents.
      return { read: await this.course.canReadCourse(viewer, session.courseId), edit: false, manage: false };
    }
    const m = await this.course.membership(session.courseId, viewer.userId);
    if (!m || !m.active) return { read: false, edit: false, manage: false };
    if (doc.ownerId !== null) {
      const own = doc.ownerId === viewer.userId;
      return { read: own, edit: own && !session.locked, manage: false };
    }
    const joined = await this.hasJoined(session.id, viewer.userId);
    return { read: joined, edit: joined && !session.locked && session.mode === 'shared' && !isGuest(m.roles), manage: false };
  }

  /** NOT_FOUND unless the viewer reads the document. Returns the rights. */
  async requireRead(viewer: Viewer, session: CollabSessionRow, doc: CollabDocumentRow): Promise<DocumentRights> {
    const r = await this.rights(viewer, session, doc);
    if (!r.read) {
      if (doc.ownerId === null && viewer.kind === 'session')
        throw new AppError('NOT_JOINED', 'Join the session first.', { sessionId: session.id });
      throw notFound('The document');
    }
    return r;
  }

  /** DOCUMENT_LOCKED / FORBIDDEN unless the viewer may edit the document now. */
  async requireEdit(viewer: Viewer, session: CollabSessionRow, doc: CollabDocumentRow): Promise<Person> {
    const r = await this.requireRead(viewer, session, doc);
    if (viewer.kind !== 'session')
      throw new AppError('FORBIDDEN', 'API keys read collab sessions; they do not edit.', { reason: 'API_KEY' });
    if (r.edit) return viewer;
    if (session.locked) throw new AppError('DOCUMENT_LOCKED', 'The session is locked: it is read-only until its owner unlocks it.');
    throw new AppError('FORBIDDEN', 'You can read this document, not edit it.');
  }

  /** Whether the viewer may still follow a document: asked on every event of a subscription (cached course checks). */
  async canFollow(viewer: Viewer, courseId: string): Promise<boolean> {
    return this.course.canReadCourse(viewer, courseId);
  }

  /** canFollow from the caches alone (undefined: ask canFollow). */
  canFollowNow(viewer: Viewer, courseId: string): boolean | undefined {
    return this.course.canReadCourseNow(viewer, courseId);
  }
}
