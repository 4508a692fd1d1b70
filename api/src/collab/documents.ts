/**
 * Collab documents (Yjs): creating them, loading them (snapshot + the stream's tail), applying updates (checked,
 * limited, deduplicated, stored as the document's update log: its stream), reset and restore as forward updates,
 * named versions, replay, awareness and compaction (the log merged into the snapshot, its updates moved to history).
 *
 * Applying checks an update here, then commits it with the others waiting for the same document, in one
 * transaction (updates.ts: group commit, against the server's in-memory copy of the document).
 */
import { and, asc, desc, eq, gt, inArray } from 'drizzle-orm';
import type { Queue } from 'bullmq';
import * as Y from 'yjs';
import type { Tx } from '../db/client.js';
import { AppError, notFound } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RateLimiter } from '../ratelimit.js';
import type { Feed, Realtime } from '../realtime/realtime.js';
import type { JobPayloads } from '../queue/queues.js';
import type { Viewer } from '../auth/viewer.js';
import { isUuid } from '../auth/access.js';
import { users } from '../users/tables.js';
import type { CollabAccess, CollabDocumentMeta, CollabDocumentRow, CollabSessionRow } from './access.js';
import { collabDocStream, type CollabAwarenessPayload, type CollabUpdateKind, type CollabUpdatePayload } from './events.js';
import { collabDocuments, collabHistory, collabVersions, type CollabLanguage } from './tables.js';
import { decodeHistory, type HistoryStep } from './history.js';
import { colorOf, decodeAwareness, stampAwareness } from './awareness.js';
import { checkUpdate, docOf, fromBase64, initialState, replaceTextUpdate, ROOT, textOf, toBase64 } from './ydoc.js';
import { UpdateCommitter, type CollabUpdateResult } from './updates.js';
import { Compaction, readConsistent, readLog, stepOf, type CompactResult } from './compaction.js';
import type { CollabDocumentView } from './events.js';

export interface CollabDocumentsConfig {
  collabMaxDocumentChars: number;
  collabMaxUpdateBytes: number;
  collabUpdatesPerMinute: number;
  collabCompactUpdates: number;
  collabCompactBytes: number;
}

export interface CollabDocumentsDeps {
  db: Tx;
  realtime: Realtime;
  access: CollabAccess;
  limiter: RateLimiter;
  queue: Queue<JobPayloads['collab']>;
  config: CollabDocumentsConfig;
  log: Logger;
}

/** A document's state: the merged Yjs state, the stream position it reflects, and its text. */
export interface DocState {
  state: Uint8Array;
  seq: number;
  text: string;
}

export type { CollabUpdateResult } from './updates.js';

/** What collabDocumentEvents delivers: a stored update, or one client's awareness (`type` picks the GraphQL type). */
export type CollabDocumentEventOut =
  ({ type: 'update'; cursor: string; at: string } & CollabUpdatePayload) | ({ type: 'awareness' } & CollabAwarenessPayload);

export interface CollabVersionView {
  id: string;
  documentId: string;
  name: string;
  text: string;
  cursor: string;
  createdAt: Date;
  createdByName: string | null;
}

export interface CollabReplayStep {
  cursor: string;
  at: Date;
  userId: string;
  userName: string;
  kind: CollabUpdateKind;
  update: string;
}

export interface CollabReplay {
  documentId: string;
  base: string;
  steps: CollabReplayStep[];
  hasMore: boolean;
}

const AWARENESS_MAX_BYTES = 8 * 1024;
const AWARENESS_PER_MINUTE = 1_200;
export const AWARENESS_TTL_MS = 30_000;
const VERSION_NAME_MAX = 80;
const CLIENT_TAG_MAX = 64;

export class CollabDocuments {
  private readonly updates: UpdateCommitter;
  private readonly compaction: Compaction;

  constructor(private readonly deps: CollabDocumentsDeps) {
    this.updates = new UpdateCommitter(deps);
    this.compaction = new Compaction({ ...deps, queue: (id) => this.updates.queueCompaction(id) });
  }

  private get db(): Tx {
    return this.deps.db;
  }

  // ---- creation (called by the session service inside its writes) ----

  /** The deterministic state of a document holding `text` (the same bytes for the same text). */
  initialState(text: string): Uint8Array {
    return initialState(text);
  }

  /** The shared document of a new session: base = snapshot = the starting code. */
  async createShared(tx: Tx, session: { id: string; tenantId: string; startingCode: string }): Promise<CollabDocumentRow> {
    const state = initialState(session.startingCode);
    const [row] = await tx
      .insert(collabDocuments)
      .values({
        tenantId: session.tenantId,
        sessionId: session.id,
        ownerId: null,
        base: state,
        snapshot: state,
        textLength: session.startingCode.length,
      })
      .returning();
    return row!;
  }

  /** A student's copy of an exercise, from the session's fork base (idempotent: an existing copy is returned). */
  async createCopy(tx: Tx, session: CollabSessionRow, ownerId: string): Promise<CollabDocumentRow> {
    const base = session.forkBase ?? initialState(session.startingCode);
    const [row] = await tx
      .insert(collabDocuments)
      .values({ tenantId: session.tenantId, sessionId: session.id, ownerId, base, snapshot: base, textLength: textOf(base).length })
      .onConflictDoNothing({ target: [collabDocuments.sessionId, collabDocuments.ownerId] })
      .returning();
    if (row) return row;
    const [existing] = await tx
      .select()
      .from(collabDocuments)
      .where(and(eq(collabDocuments.sessionId, session.id), eq(collabDocuments.ownerId, ownerId)));
    return existing!;
  }

  /** Deletes the update logs of documents about to go (session deletion), in the caller's transaction. */
  async removeLogs(tx: Tx, documentIds: string[]): Promise<void> {
    for (const id of documentIds) {
      await this.deps.realtime.truncate(tx, collabDocStream(id), Number.MAX_SAFE_INTEGER);
      this.updates.forget(id);
    }
  }

  // ---- loading ----

  /** Snapshot + tail merged, read in one snapshot of the database. */
  async currentState(documentId: string): Promise<DocState> {
    const states = await this.statesOf([documentId]);
    const s = states.get(documentId);
    if (!s) throw notFound('The document');
    return s;
  }

  /** currentState of several documents in one read (the class grid: 60 copies). Unknown ids are left out. */
  async statesOf(documentIds: string[]): Promise<Map<string, DocState>> {
    const out = new Map<string, DocState>();
    const ids = documentIds.filter(isUuid);
    if (ids.length === 0) return out;
    await readConsistent(this.db, async (tx) => {
      const rows = await tx
        .select({ id: collabDocuments.id, snapshot: collabDocuments.snapshot, snapshotSeq: collabDocuments.snapshotSeq })
        .from(collabDocuments)
        .where(inArray(collabDocuments.id, ids));
      for (const r of rows) {
        const tail = await readLog(this.deps.realtime, tx, r.id, r.snapshotSeq);
        const seq = tail.length ? tail[tail.length - 1]!.seq : r.snapshotSeq;
        const doc = docOf(r.snapshot, ...tail.map((ev) => fromBase64(ev.payload.update)));
        const state = tail.length ? Y.encodeStateAsUpdate(doc) : r.snapshot;
        out.set(r.id, { state, seq, text: doc.getText(ROOT).toString() });
        doc.destroy();
      }
    });
    return out;
  }

  /** The GraphQL `CollabDocument` for a viewer who may read it (NOT_FOUND / NOT_JOINED otherwise). */
  async view(viewer: Viewer, session: CollabSessionRow, doc: CollabDocumentMeta): Promise<CollabDocumentView> {
    const rights = await this.deps.access.requireRead(viewer, session, doc);
    const [s, ownerName] = await Promise.all([this.currentState(doc.id), doc.ownerId ? this.nameOf(doc.ownerId) : Promise.resolve(null)]);
    return documentView(session, doc, s, ownerName, rights);
  }

  /** The `collabDocument` query: the document by id, for a viewer who reads it. */
  async get(viewer: Viewer, documentId: string): Promise<CollabDocumentView> {
    const { doc, session } = await this.deps.access.documentWithSession(viewer, documentId);
    return this.view(viewer, session, doc);
  }

  // ---- updates ----

  /**
   * A client's Yjs update: checked (rights, size, rate, structure), then applied to the server's copy; only what is
   * new is stored (a resend stores nothing). OUT_OF_SYNC when it depends on updates the server does not have (the
   * client then sends its whole state, which the diff trims).
   */
  async applyUpdate(viewer: Viewer, documentId: string, updateB64: string, clientTag: string | null): Promise<CollabUpdateResult> {
    // The session's lock and mode are checked in the commit's transaction (a lock stops the very next update).
    const { doc, session } = await this.deps.access.editContext(viewer, documentId);
    const { person, manage } = await this.deps.access.requireEditor(viewer, session, doc);
    if (clientTag !== null && clientTag.length > CLIENT_TAG_MAX)
      throw new AppError('BAD_USER_INPUT', `clientTag is at most ${CLIENT_TAG_MAX} characters.`);
    const max = this.deps.config.collabMaxUpdateBytes;
    // Refuse an oversize update before decoding it (base64: 4 characters per 3 bytes).
    if (updateB64.length > Math.ceil(max / 3) * 4 + 4) throw tooLarge(max);
    const bytes = fromBase64(updateB64);
    if (bytes.length > max) throw tooLarge(max);
    await this.deps.limiter.take(
      `collab:${doc.id}:${person.userId}`,
      this.deps.config.collabUpdatesPerMinute,
      60_000,
      'Editing this document',
    );
    checkUpdate(bytes);
    return this.updates.commit(doc.id, { userId: person.userId, kind: 'edit', clientTag, manage, make: () => bytes });
  }

  /** Puts the starting code back, as a forward update (kind `reset`): managers, and a copy's own student (unlocked). */
  async reset(viewer: Viewer, documentId: string): Promise<CollabUpdateResult> {
    const { doc, session } = await this.deps.access.documentWithSession(viewer, documentId);
    const { person, manage } = await this.requireOwnerOrManager(viewer, session, doc);
    return this.updates.commit(doc.id, {
      userId: person.userId,
      kind: 'reset',
      clientTag: null,
      manage,
      make: (cached) => replaceTextUpdate(Y.encodeStateAsUpdate(cached), session.startingCode),
    });
  }

  // ---- following ----

  /**
   * A document's updates after `after` (its `cursor`), then live, with awareness signals: a feed (every reader gets
   * the same payloads). Read rights are checked at the start; the course read on every event (membership revoked).
   */
  async follow(
    viewer: Viewer,
    documentId: string,
    after: number | null,
    signal: AbortSignal | undefined,
  ): Promise<Feed<CollabDocumentEventOut>> {
    const { doc, session } = await this.deps.access.documentWithSession(viewer, documentId);
    await this.deps.access.requireRead(viewer, session, doc);
    // A cursor the compaction passed gets CURSOR_EXPIRED from the stream (durable: its kept events start after it).
    const { access } = this.deps;
    return this.deps.realtime.feed({
      stream: collabDocStream(doc.id),
      after,
      signals: true,
      authorizeNow: () => access.canFollowNow(viewer, session.courseId),
      authorize: () => access.canFollow(viewer, session.courseId),
      map: (d): CollabDocumentEventOut =>
        d.kind === 'event'
          ? { type: 'update', cursor: String(d.event.seq), at: d.event.at, ...d.event.payload }
          : { type: 'awareness', ...d.signal.payload },
      signal,
    });
  }

  // ---- awareness ----

  /** Relays one client's awareness update to the document's followers, stamped with who sent it. */
  async sendAwareness(viewer: Viewer, documentId: string, updateB64: string): Promise<boolean> {
    // Up to 10 a second per client: the cached context (read rights do not depend on the session's lock or mode).
    const { doc, session } = await this.deps.access.editContext(viewer, documentId);
    await this.deps.access.requireRead(viewer, session, doc);
    if (viewer.kind !== 'session')
      throw new AppError('FORBIDDEN', 'API keys read collab documents; they are not present in them.', { reason: 'API_KEY' });
    if (updateB64.length > Math.ceil(AWARENESS_MAX_BYTES / 3) * 4 + 4) throw tooLarge(AWARENESS_MAX_BYTES);
    let bytes: Uint8Array;
    try {
      bytes = fromBase64(updateB64);
    } catch {
      throw new AppError('MALFORMED_UPDATE', 'This is not an awareness update of one client.');
    }
    if (bytes.length > AWARENESS_MAX_BYTES) throw tooLarge(AWARENESS_MAX_BYTES);
    const entry = decodeAwareness(bytes);
    // Its own budget, apart from the edits': clients send at most 10 a second while the cursor moves.
    await this.deps.limiter.take(`collab-aw:${doc.id}:${viewer.userId}`, AWARENESS_PER_MINUTE, 60_000, 'Cursor updates');
    const name = (await this.nameOf(viewer.userId)) ?? 'Someone';
    const color = colorOf(viewer.userId);
    const update = stampAwareness(entry, { userId: viewer.userId, name, color });
    await this.deps.realtime.signal(
      collabDocStream(doc.id),
      { type: 'awareness', payload: { userId: viewer.userId, name, color, clientId: entry.clientId, update: toBase64(update) } },
      AWARENESS_TTL_MS,
    );
    return true;
  }

  // ---- versions ----

  /** Saves the document's current state under a name: people who may edit it. */
  async saveVersion(viewer: Viewer, documentId: string, name: string): Promise<CollabVersionView> {
    const { doc, session } = await this.deps.access.documentWithSession(viewer, documentId);
    const person = await this.deps.access.requireEdit(viewer, session, doc);
    const clean = name.trim();
    if (clean.length < 1 || clean.length > VERSION_NAME_MAX)
      throw new AppError('BAD_USER_INPUT', `A version's name is 1 to ${VERSION_NAME_MAX} characters.`);
    const s = await this.currentState(doc.id);
    const [v] = await this.db
      .insert(collabVersions)
      .values({
        tenantId: doc.tenantId,
        documentId: doc.id,
        name: clean,
        state: s.state,
        text: s.text,
        seq: s.seq,
        createdBy: person.userId,
      })
      .returning();
    return versionView(v!, await this.nameOf(person.userId));
  }

  /** A document's named versions, newest first: whoever reads it. */
  async versions(viewer: Viewer, documentId: string): Promise<CollabVersionView[]> {
    const { doc, session } = await this.deps.access.documentWithSession(viewer, documentId);
    await this.deps.access.requireRead(viewer, session, doc);
    const list = await this.db
      .select({ v: collabVersions, by: users.name })
      .from(collabVersions)
      .leftJoin(users, eq(users.id, collabVersions.createdBy))
      .where(eq(collabVersions.documentId, doc.id))
      .orderBy(desc(collabVersions.createdAt), desc(collabVersions.seq));
    return list.map((r) => versionView(r.v, r.by));
  }

  /** Restores a named version as a forward update (kind `restore`): managers, and a copy's own student (unlocked). */
  async restoreVersion(viewer: Viewer, versionId: string): Promise<CollabUpdateResult> {
    if (!isUuid(versionId)) throw notFound('The version');
    const [v] = await this.db.select().from(collabVersions).where(eq(collabVersions.id, versionId));
    if (!v || v.tenantId !== viewer.tenantId) throw notFound('The version');
    const { doc, session } = await this.deps.access.documentWithSession(viewer, v.documentId).catch(() => {
      throw notFound('The version');
    });
    const { person, manage } = await this.requireOwnerOrManager(viewer, session, doc);
    return this.updates.commit(doc.id, {
      userId: person.userId,
      kind: 'restore',
      clientTag: null,
      manage,
      make: (cached) => replaceTextUpdate(Y.encodeStateAsUpdate(cached), v.text),
    });
  }

  /** Managers; a copy's own student while the session is not locked (DOCUMENT_LOCKED, checked again in the commit). */
  private async requireOwnerOrManager(viewer: Viewer, session: CollabSessionRow, doc: CollabDocumentMeta) {
    const person = await this.deps.access.requireEdit(viewer, session, doc);
    const manage = await this.deps.access.canManage(viewer, session);
    if (doc.ownerId !== person.userId && !manage) await this.deps.access.requireManage(viewer, session);
    return { person, manage };
  }

  // ---- replay ----

  /**
   * The document's updates after `after`, edit by edit (compacted history, then the log's tail), at most `first`:
   * managers, and a copy's own student. `base` is where the first update applies.
   */
  async replay(viewer: Viewer, documentId: string, after: number | null, first = 1000): Promise<CollabReplay> {
    const { doc, session } = await this.deps.access.documentWithSession(viewer, documentId);
    const rights = await this.deps.access.requireRead(viewer, session, doc);
    if (!rights.manage && !(viewer.kind === 'session' && doc.ownerId === viewer.userId))
      throw new AppError('FORBIDDEN', "Only the session's owner and the course's instructors can replay this document.");
    if (!Number.isInteger(first) || first < 1 || first > 2000) throw new AppError('BAD_USER_INPUT', 'first is between 1 and 2000.');
    const from = after ?? 0;
    const steps: HistoryStep[] = [];
    let hasMore = false;
    let base: Uint8Array = new Uint8Array();
    await readConsistent(this.db, async (tx) => {
      const [row] = await tx
        .select({ snapshotSeq: collabDocuments.snapshotSeq, base: collabDocuments.base })
        .from(collabDocuments)
        .where(eq(collabDocuments.id, doc.id));
      if (!row) throw notFound('The document');
      base = row.base;
      const segments = await tx
        .select({ data: collabHistory.data })
        .from(collabHistory)
        .where(and(eq(collabHistory.documentId, doc.id), gt(collabHistory.toSeq, from)))
        .orderBy(asc(collabHistory.fromSeq));
      for (const seg of segments) {
        for (const s of decodeHistory(seg.data)) {
          if (s.seq <= from) continue;
          if (steps.length === first) return void (hasMore = true);
          steps.push(s);
        }
      }
      const tailFrom = Math.max(from, row.snapshotSeq);
      const tail = await this.deps.realtime.read(collabDocStream(doc.id), tailFrom, first - steps.length + 1, tx);
      for (const ev of tail) {
        if (steps.length === first) return void (hasMore = true);
        steps.push(stepOf(ev));
      }
    });
    const names = await this.namesOf([...new Set(steps.map((s) => s.userId))]);
    return {
      documentId: doc.id,
      base: toBase64(base),
      hasMore,
      steps: steps.map((s) => ({
        cursor: String(s.seq),
        at: new Date(s.at),
        userId: s.userId,
        userName: names.get(s.userId) ?? 'Someone',
        kind: s.kind,
        update: toBase64(s.update),
      })),
    };
  }

  // ---- compaction ----

  /** Merges the document's log into its snapshot (the collab queue's job; see compaction.ts). */
  compact(documentId: string): Promise<CompactResult> {
    return this.compaction.compact(documentId);
  }

  /** Queues the compaction of every document whose log is over a threshold (the periodic sweep). */
  sweepCompaction(): Promise<number> {
    return this.compaction.sweep();
  }

  // ---- helpers ----

  private async nameOf(userId: string): Promise<string | null> {
    const [u] = await this.db.select({ name: users.name }).from(users).where(eq(users.id, userId));
    return u?.name ?? null;
  }

  private async namesOf(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const list = await this.db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, ids));
    return new Map(list.map((u) => [u.id, u.name]));
  }
}

const tooLarge = (max: number) => new AppError('UPDATE_TOO_LARGE', `An update is at most ${max} bytes: send smaller updates.`);

function versionView(v: typeof collabVersions.$inferSelect, by: string | null): CollabVersionView {
  return {
    id: v.id,
    documentId: v.documentId,
    name: v.name,
    text: v.text,
    cursor: String(v.seq),
    createdAt: v.createdAt,
    createdByName: by,
  };
}

/** The GraphQL `CollabDocument` of a document, its state and what the viewer may do with it. */
export function documentView(
  session: CollabSessionRow,
  doc: Pick<CollabDocumentMeta, 'id' | 'ownerId' | 'editedAt' | 'startedAt'>,
  s: DocState,
  ownerName: string | null,
  rights: { edit: boolean; manage: boolean },
): CollabDocumentView {
  return {
    id: doc.id,
    sessionId: session.id,
    ownerId: doc.ownerId,
    ownerName,
    state: toBase64(s.state),
    cursor: String(s.seq),
    text: s.text,
    textLength: s.text.length,
    editedAt: doc.editedAt,
    startedAt: doc.startedAt,
    language: session.language as CollabLanguage,
    locked: session.locked,
    viewerCanEdit: rights.edit,
    viewerCanManage: rights.manage,
  };
}
