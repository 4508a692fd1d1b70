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
import { and, eq, getTableColumns } from 'drizzle-orm';
import { timingSafeEqual } from 'node:crypto';
import type { Tx } from '../db/client.js';
import { AppError, notFound } from '../errors.js';
import { isUuid, type Access } from '../auth/access.js';
import type { Viewer } from '../auth/viewer.js';
import { isGuest, isStaff } from '../courses/roles.js';
import { collabDocuments, collabMembers, collabSessions } from './tables.js';

export type CollabSessionRow = typeof collabSessions.$inferSelect;
export type CollabDocumentRow = typeof collabDocuments.$inferSelect;
/** A document row without its states (`snapshot`, `base`: hundreds of KB), what access checks and views need. */
export type CollabDocumentMeta = Omit<CollabDocumentRow, 'snapshot' | 'base'>;
/** The columns of a CollabDocumentMeta, for a select. */
const { snapshot: _snapshot, base: _base, ...documentMetaColumns } = getTableColumns(collabDocuments);
type Person = Extract<Viewer, { kind: 'session' }>;

/** What a viewer may do with one document (decided once when it is opened; edits re-check the lock). */
export interface DocumentRights {
  read: boolean;
  edit: boolean;
  manage: boolean;
}

/**
 * Where a viewer stands with a document, apart from the session's state: `editor` edits it while the session is
 * open (see `isOpenFor`). What an update is checked against before its commit, which checks the lock itself.
 */
interface Standing {
  read: boolean;
  editor: boolean;
  manage: boolean;
}

/** A document with its session, for the edit path (cached a few seconds per document: see `editContext`). */
interface DocumentContext {
  doc: CollabDocumentMeta;
  session: CollabSessionRow;
}

/**
 * How long `editContext` keeps a document with its session. What may change meanwhile does not decide an edit: the
 * lock and the mode are read again in the update's transaction (isOpenFor), a deleted document is not found there,
 * and course membership comes from the course checks' own invalidated cache.
 */
const CONTEXT_TTL_MS = 5_000;
/** Entries the per-instance caches hold before they start again. */
const MAX_CACHED = 10_000;

/** Whether a session lets its non-managers edit a document now: not locked, and the shared one only in a shared session. */
export function isOpenFor(session: Pick<CollabSessionRow, 'locked' | 'mode'>, doc: Pick<CollabDocumentRow, 'ownerId'>): boolean {
  return !session.locked && (doc.ownerId !== null || session.mode === 'shared');
}

export class CollabAccess {
  private readonly contexts = new Map<string, DocumentContext & { until: number }>();
  /** (session, person) pairs known to have joined: joining is never undone (a member leaves with the session or the course). */
  private readonly joined = new Set<string>();

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
  async documentWithSession(viewer: Viewer, documentId: string): Promise<{ doc: CollabDocumentMeta; session: CollabSessionRow }> {
    if (!isUuid(documentId)) throw notFound('The document');
    const [doc] = await this.db.select(documentMetaColumns).from(collabDocuments).where(eq(collabDocuments.id, documentId));
    if (!doc || doc.tenantId !== viewer.tenantId) throw notFound('The document');
    const session = await this.readableSession(viewer, doc.sessionId).catch(() => {
      throw notFound('The document');
    });
    return { doc, session };
  }

  /**
   * documentWithSession for the frequent calls (every keystroke batch, every cursor move), from a per-instance cache
   * of a few seconds: the viewer's tenant and course read are checked each time (the course checks are cached and
   * invalidated). Its `session.locked`/`mode` may be that old: an update's transaction reads them again, and reading
   * does not depend on them.
   */
  async editContext(viewer: Viewer, documentId: string): Promise<DocumentContext> {
    if (!isUuid(documentId)) throw notFound('The document');
    const now = Date.now();
    const hit = this.contexts.get(documentId);
    let ctx: DocumentContext | undefined = hit && hit.until >= now ? hit : undefined;
    if (!ctx) {
      ctx = await this.documentWithSession(viewer, documentId);
      if (this.contexts.size >= MAX_CACHED) this.contexts.clear();
      this.contexts.set(documentId, { ...ctx, until: now + CONTEXT_TTL_MS });
    }
    if (ctx.doc.tenantId !== viewer.tenantId) throw notFound('The document');
    await this.course.requireCourseRead(viewer, ctx.session.courseId).catch(() => {
      throw notFound('The document');
    });
    return ctx;
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

  /** hasJoined through the cache of people known to have joined (a yes is kept; a no is asked again). */
  private async joinedNow(sessionId: string, userId: string): Promise<boolean> {
    const key = `${sessionId}:${userId}`;
    if (this.joined.has(key)) return true;
    if (!(await this.hasJoined(sessionId, userId))) return false;
    if (this.joined.size >= MAX_CACHED) this.joined.clear();
    this.joined.add(key);
    return true;
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
    const s = await this.standing(viewer, session, doc);
    return { read: s.read, edit: s.manage || (s.editor && isOpenFor(session, doc)), manage: s.manage };
  }

  /** Where the viewer stands with the document, the session's lock and mode aside (see Standing). Never throws. */
  private async standing(viewer: Viewer, session: CollabSessionRow, doc: Pick<CollabDocumentRow, 'ownerId'>): Promise<Standing> {
    if (await this.canManage(viewer, session)) return { read: true, editor: true, manage: true };
    if (viewer.kind !== 'session') {
      // API keys that read the course read its documents.
      return { read: await this.course.canReadCourse(viewer, session.courseId), editor: false, manage: false };
    }
    const m = await this.course.membership(session.courseId, viewer.userId);
    if (!m || !m.active) return { read: false, editor: false, manage: false };
    if (doc.ownerId !== null) {
      const own = doc.ownerId === viewer.userId;
      return { read: own, editor: own, manage: false };
    }
    const joined = await this.joinedNow(session.id, viewer.userId);
    return { read: joined, editor: joined && !isGuest(m.roles), manage: false };
  }

  /** NOT_FOUND unless the viewer reads the document. Returns the rights. */
  async requireRead(viewer: Viewer, session: CollabSessionRow, doc: CollabDocumentMeta): Promise<DocumentRights> {
    const r = await this.rights(viewer, session, doc);
    if (!r.read) throw notReadable(viewer, session, doc);
    return r;
  }

  /** DOCUMENT_LOCKED / FORBIDDEN unless the viewer may edit the document now. */
  async requireEdit(viewer: Viewer, session: CollabSessionRow, doc: CollabDocumentMeta): Promise<Person> {
    const r = await this.requireRead(viewer, session, doc);
    if (viewer.kind !== 'session') throw apiKeyRefused();
    if (r.edit) return viewer;
    throw closedTo(session);
  }

  /**
   * requireEdit without the session's lock and mode: for an update whose transaction checks them (`closedTo` when
   * `manage` is false and the session is not `isOpenFor` the document), so that a lock stops the very next update
   * whatever the caches hold. `manage`: edits a locked session too.
   */
  async requireEditor(viewer: Viewer, session: CollabSessionRow, doc: CollabDocumentMeta): Promise<{ person: Person; manage: boolean }> {
    const s = await this.standing(viewer, session, doc);
    if (!s.read) throw notReadable(viewer, session, doc);
    if (viewer.kind !== 'session') throw apiKeyRefused();
    if (!s.editor) throw new AppError('FORBIDDEN', 'You can read this document, not edit it.');
    return { person: viewer, manage: s.manage };
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

const apiKeyRefused = () => new AppError('FORBIDDEN', 'API keys read collab sessions; they do not edit.', { reason: 'API_KEY' });

function notReadable(viewer: Viewer, session: CollabSessionRow, doc: CollabDocumentMeta): AppError {
  if (doc.ownerId === null && viewer.kind === 'session')
    return new AppError('NOT_JOINED', 'Join the session first.', { sessionId: session.id });
  return notFound('The document');
}

/** Why a non-manager may not edit the document of a session that is not open for it: locked, or not theirs to edit. */
export function closedTo(session: Pick<CollabSessionRow, 'locked'>): AppError {
  if (session.locked) return new AppError('DOCUMENT_LOCKED', 'The session is locked: it is read-only until its owner unlocks it.');
  return new AppError('FORBIDDEN', 'You can read this document, not edit it.');
}
