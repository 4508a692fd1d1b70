/**
 * Collab documents (Yjs): creating them, loading them (snapshot + the stream's tail), applying updates (checked,
 * limited, deduplicated, stored as the document's update log: its stream), reset and restore as forward updates,
 * named versions, replay, awareness and compaction (the log merged into the snapshot, its updates moved to history).
 *
 * Applying keeps one Y.Doc per document in memory (doc-cache.ts): the server's copy the incoming update is diffed
 * against. Its consistency: writes of one document are serialised on this instance (a per-document lock) and across
 * instances (the document row, locked in the write's transaction), and the cached copy is brought up to the stream's
 * head inside that transaction (another instance may have written). When anything fails, the entry is dropped and
 * rebuilt from the database next time.
 */
import { and, asc, desc, eq, gt, inArray, or } from 'drizzle-orm';
import type { Queue } from 'bullmq';
import * as Y from 'yjs';
import type { Tx } from '../db/client.js';
import { AppError, notFound } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RateLimiter } from '../ratelimit.js';
import type { Feed, Realtime, StreamEvent } from '../realtime/realtime.js';
import type { JobPayloads } from '../queue/queues.js';
import type { Viewer } from '../auth/viewer.js';
import { isUuid } from '../auth/access.js';
import { users } from '../users/tables.js';
import type { CollabAccess, CollabDocumentRow, CollabSessionRow } from './access.js';
import {
  collabDocStream,
  type CollabAwarenessPayload,
  type CollabDocEvent,
  type CollabUpdateKind,
  type CollabUpdatePayload,
} from './events.js';
import { collabDocuments, collabHistory, collabVersions, type CollabLanguage } from './tables.js';
import { decodeHistory, encodeHistory, type HistoryStep } from './history.js';
import { colorOf, decodeAwareness, stampAwareness } from './awareness.js';
import { DocCache, KeyedLock } from './doc-cache.js';
import { applyTo, checkUpdate, docOf, fromBase64, initialState, replaceTextUpdate, ROOT, textOf, toBase64 } from './ydoc.js';
import type { CollabDocumentView } from './view-schema.js';

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

export interface CollabUpdateResult {
  stored: boolean;
  cursor: string | null;
}

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

/** What compaction did (the job's result). */
export interface CompactResult {
  compacted: boolean;
  merged: number;
  snapshotSeq: number;
}

const PAGE = 2_000;
const AWARENESS_MAX_BYTES = 8 * 1024;
const AWARENESS_PER_MINUTE = 1_200;
export const AWARENESS_TTL_MS = 30_000;
const VERSION_NAME_MAX = 80;
const CLIENT_TAG_MAX = 64;
/** The origin of updates applied through applyUpdate (the cached doc's own transactions are told apart by it). */
const INCOMING = Symbol('incoming');

export class CollabDocuments {
  private readonly cache = new DocCache();
  private readonly locks = new KeyedLock();

  constructor(private readonly deps: CollabDocumentsDeps) {}

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
      this.cache.drop(id);
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
    await this.readConsistent(async (tx) => {
      const rows = await tx
        .select({ id: collabDocuments.id, snapshot: collabDocuments.snapshot, snapshotSeq: collabDocuments.snapshotSeq })
        .from(collabDocuments)
        .where(inArray(collabDocuments.id, ids));
      for (const r of rows) {
        const tail = await this.readAll(tx, r.id, r.snapshotSeq);
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
  async view(viewer: Viewer, session: CollabSessionRow, doc: CollabDocumentRow): Promise<CollabDocumentView> {
    const rights = await this.deps.access.requireRead(viewer, session, doc);
    const [s, ownerName] = await Promise.all([this.currentState(doc.id), doc.ownerId ? this.nameOf(doc.ownerId) : Promise.resolve(null)]);
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
    const { doc, session } = await this.deps.access.documentWithSession(viewer, documentId);
    const person = await this.deps.access.requireEdit(viewer, session, doc);
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
    return this.commit(doc, person.userId, 'edit', clientTag, () => bytes);
  }

  /** Puts the starting code back, as a forward update (kind `reset`): managers, and a copy's own student (unlocked). */
  async reset(viewer: Viewer, documentId: string): Promise<CollabUpdateResult> {
    const { doc, session } = await this.deps.access.documentWithSession(viewer, documentId);
    const person = await this.requireOwnerOrManager(viewer, session, doc);
    return this.commit(doc, person.userId, 'reset', null, (cached) =>
      replaceTextUpdate(Y.encodeStateAsUpdate(cached), session.startingCode),
    );
  }

  /**
   * Writes an update in the document's stream: `make` computes it from the server's copy (up to date, under the
   * document's lock). Answers the stored update's cursor, or `stored: false` when it changed nothing.
   */
  private async commit(
    row: CollabDocumentRow,
    userId: string,
    kind: CollabUpdateKind,
    clientTag: string | null,
    make: (doc: Y.Doc) => Uint8Array | null,
  ): Promise<CollabUpdateResult> {
    const { realtime, config } = this.deps;
    const stream = collabDocStream(row.id);
    const out = await this.locks.run(row.id, async () => {
      try {
        return await realtime.write(async (tx, emit) => {
          const [locked] = await tx.select().from(collabDocuments).where(eq(collabDocuments.id, row.id)).for('update');
          if (!locked) throw notFound('The document');
          const doc = await this.upToDate(tx, locked);
          const update = make(doc);
          if (!update) return { stored: false, cursor: null, due: false };
          const before = doc.getText(ROOT).length;
          let applied: ReturnType<typeof applyTo>;
          try {
            applied = applyTo(doc, update, INCOMING);
          } catch {
            throw new AppError('MALFORMED_UPDATE', 'This update could not be applied to the document.');
          }
          if (applied.missing)
            throw new AppError('OUT_OF_SYNC', 'This update depends on changes the server does not have: send the whole document state.');
          if (!applied.diff) return { stored: false, cursor: null, due: false };
          const after = doc.getText(ROOT).length;
          if (after > config.collabMaxDocumentChars && after > before)
            throw new AppError('DOCUMENT_TOO_LARGE', `A document holds at most ${config.collabMaxDocumentChars} characters.`);
          const ev = await emit(stream, {
            tenantId: locked.tenantId,
            type: 'update',
            payload: { update: toBase64(applied.diff), userId, kind, clientTag },
          });
          this.cache.advance(row.id, ev.seq);
          const now = new Date(ev.at);
          const logCount = locked.logCount + 1;
          const logBytes = locked.logBytes + applied.diff.length;
          const startsCopy = locked.ownerId !== null && locked.ownerId === userId && locked.startedAt === null && kind === 'edit';
          await tx
            .update(collabDocuments)
            .set({ logCount, logBytes, textLength: after, editedAt: now, updatedAt: now, ...(startsCopy ? { startedAt: now } : {}) })
            .where(eq(collabDocuments.id, row.id));
          return {
            stored: true,
            cursor: String(ev.seq),
            due: logCount > config.collabCompactUpdates || logBytes > config.collabCompactBytes,
          };
        });
      } catch (err) {
        // The cached copy may hold what was not committed.
        this.cache.drop(row.id);
        throw err;
      }
    });
    if (out.due) void this.queueCompaction(row.id);
    return { stored: out.stored, cursor: out.cursor };
  }

  /** The cached Y.Doc of a locked document row, brought up to the stream's head (read in the caller's transaction). */
  private async upToDate(tx: Tx, row: CollabDocumentRow): Promise<Y.Doc> {
    let entry = this.cache.get(row.id);
    // Older than the snapshot: the updates between were compacted away; start again from the snapshot.
    if (!entry || entry.seq < row.snapshotSeq) entry = this.cache.set(row.id, docOf(row.snapshot), row.snapshotSeq);
    for (;;) {
      const page = await this.deps.realtime.read(collabDocStream(row.id), entry.seq, PAGE, tx);
      for (const ev of page) {
        Y.applyUpdate(entry.doc, fromBase64(ev.payload.update));
        entry.seq = ev.seq;
      }
      if (page.length < PAGE) break;
    }
    return entry.doc;
  }

  /** Queues the compaction of a document (one queued at a time); a failure is logged: the sweep catches up. */
  private async queueCompaction(documentId: string): Promise<void> {
    try {
      await this.deps.queue.add(
        'compact',
        { task: 'compact', documentId },
        { jobId: `collab-compact-${documentId}`, removeOnComplete: true, removeOnFail: 100 },
      );
    } catch (err) {
      this.deps.log.warn({ err, documentId }, 'collab: compaction not queued; the sweep will queue it');
    }
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
    const { doc, session } = await this.deps.access.documentWithSession(viewer, documentId);
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
    const person = await this.requireOwnerOrManager(viewer, session, doc);
    return this.commit(doc, person.userId, 'restore', null, (cached) => replaceTextUpdate(Y.encodeStateAsUpdate(cached), v.text));
  }

  /** Managers; a copy's own student while the session is not locked (DOCUMENT_LOCKED). */
  private async requireOwnerOrManager(viewer: Viewer, session: CollabSessionRow, doc: CollabDocumentRow) {
    const person = await this.deps.access.requireEdit(viewer, session, doc);
    if (doc.ownerId === person.userId) return person;
    return this.deps.access.requireManage(viewer, session);
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
    await this.readConsistent(async (tx) => {
      const [row] = await tx
        .select({ snapshotSeq: collabDocuments.snapshotSeq })
        .from(collabDocuments)
        .where(eq(collabDocuments.id, doc.id));
      if (!row) throw notFound('The document');
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
      base: toBase64(doc.base),
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

  /**
   * Merges the document's log into its snapshot and moves the merged updates into a history segment. Updates that
   * arrive meanwhile come after the merged head and stay in the log; when another compaction won, this one gives up.
   */
  async compact(documentId: string): Promise<CompactResult> {
    const read = await this.readConsistent(async (tx) => {
      const [row] = await tx.select().from(collabDocuments).where(eq(collabDocuments.id, documentId));
      if (!row) return null;
      return { row, log: await this.readAll(tx, row.id, row.snapshotSeq) };
    });
    if (!read || read.log.length === 0) return { compacted: false, merged: 0, snapshotSeq: read?.row.snapshotSeq ?? 0 };
    const { row, log } = read;
    const S = row.snapshotSeq;
    const N = log[log.length - 1]!.seq;
    const steps = log.map(stepOf);
    // Through a Y.Doc rather than mergeUpdates: deleted text is garbage-collected out of the snapshot.
    const doc = docOf(row.snapshot, ...steps.map((s) => s.update));
    const snapshot = Y.encodeStateAsUpdate(doc);
    doc.destroy();
    const history = encodeHistory(steps);
    const stream = collabDocStream(documentId);
    const done = await this.deps.realtime.write(async (tx) => {
      const [locked] = await tx
        .select({ snapshotSeq: collabDocuments.snapshotSeq })
        .from(collabDocuments)
        .where(eq(collabDocuments.id, documentId))
        .for('update');
      if (!locked || locked.snapshotSeq !== S) return false;
      const rest = await this.readAll(tx, documentId, N);
      await tx
        .update(collabDocuments)
        .set({
          snapshot,
          snapshotSeq: N,
          logCount: rest.length,
          logBytes: rest.reduce((n, ev) => n + Buffer.byteLength(ev.payload.update, 'base64'), 0),
        })
        .where(eq(collabDocuments.id, documentId));
      await tx.insert(collabHistory).values({ documentId, fromSeq: steps[0]!.seq, toSeq: N, tenantId: row.tenantId, data: history });
      await this.deps.realtime.truncate(tx, stream, N);
      return true;
    });
    if (done) this.deps.log.info({ documentId, merged: log.length, snapshotSeq: N, bytes: snapshot.length }, 'collab: log compacted');
    return { compacted: done, merged: done ? log.length : 0, snapshotSeq: done ? N : S };
  }

  /** Queues the compaction of every document whose log is over a threshold (the periodic sweep). */
  async sweepCompaction(): Promise<number> {
    const { collabCompactUpdates, collabCompactBytes } = this.deps.config;
    const due = await this.db
      .select({ id: collabDocuments.id })
      .from(collabDocuments)
      .where(or(gt(collabDocuments.logCount, collabCompactUpdates), gt(collabDocuments.logBytes, collabCompactBytes)))
      .limit(1000);
    for (const d of due) await this.queueCompaction(d.id);
    return due.length;
  }

  // ---- helpers ----

  /** Every stored update of a document after `after`, oldest first. */
  private async readAll(tx: Tx, documentId: string, after: number): Promise<StreamEvent<CollabDocEvent>[]> {
    const out: StreamEvent<CollabDocEvent>[] = [];
    let last = after;
    for (;;) {
      const page = await this.deps.realtime.read(collabDocStream(documentId), last, PAGE, tx);
      out.push(...page);
      if (page.length < PAGE) return out;
      last = page[page.length - 1]!.seq;
    }
  }

  /** Runs reads in one snapshot of the database (a read-only repeatable-read transaction). */
  private readConsistent<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(fn, { isolationLevel: 'repeatable read', accessMode: 'read only' });
  }

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

const stepOf = (ev: StreamEvent<CollabDocEvent>): HistoryStep => ({
  seq: ev.seq,
  at: Date.parse(ev.at),
  userId: ev.payload.userId,
  kind: ev.payload.kind,
  update: fromBase64(ev.payload.update),
});

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
