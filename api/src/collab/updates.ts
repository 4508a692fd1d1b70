/**
 * The apply path of collab documents: updates already checked (rights, size, rate, structure) are committed to the
 * document's stream, its update log, by GROUP COMMIT per document. While one transaction of a document runs, the
 * updates that arrive for it wait; the next transaction takes them all: one lock of the row, one catch-up of the
 * server's copy, each update applied and judged on its own (a refused one is refused alone and leaves the copy as it
 * was), the accepted ones appended in one statement (each its own event, in order: replay goes edit by edit), one
 * UPDATE of the row's counters. Each caller gets its own answer (its own cursor). A document thus takes its updates
 * as fast as transactions go, whatever the number of editors, instead of one transaction per update.
 *
 * Consistency of the server's copy (doc-cache.ts): one transaction per document at a time on this instance (the
 * queue), and across instances the document row, locked in the transaction. The copy is brought up to the stream's
 * head inside that transaction, unless the locked row shows that nobody wrote since this copy was last in step with
 * it: every writer of the stream holds the row's lock and changes its counters (a commit adds to `log_count`, a
 * compaction moves `snapshot_seq`), and a `FOR UPDATE` read returns the row as the last holder of the lock committed
 * it. (A head read by the same statement would not do: it sees the statement's snapshot, taken before waiting for the
 * lock, so it can miss what the writer waited for committed.) On any failure the copy is dropped and rebuilt from the
 * database next time.
 */
import { eq } from 'drizzle-orm';
import type { Queue } from 'bullmq';
import * as Y from 'yjs';
import type { Tx } from '../db/client.js';
import { AppError, notFound } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Realtime } from '../realtime/realtime.js';
import type { JobPayloads } from '../queue/queues.js';
import { closedTo, isOpenFor } from './access.js';
import { collabDocStream, type CollabUpdateKind } from './events.js';
import { collabDocuments, collabSessions } from './tables.js';
import { DocCache, type CachedDoc } from './doc-cache.js';
import { applyTo, docOf, fromBase64, ROOT, toBase64 } from './ydoc.js';

export interface CollabUpdateResult {
  stored: boolean;
  cursor: string | null;
}

/** An update to commit: `make` computes it from the server's copy, up to date (null: nothing to do). */
export interface UpdateRequest {
  userId: string;
  kind: CollabUpdateKind;
  clientTag: string | null;
  /** The author manages the session: edits it while locked (others are refused then: DOCUMENT_LOCKED). */
  manage: boolean;
  make: (doc: Y.Doc) => Uint8Array | null;
}

interface Queued extends UpdateRequest {
  resolve: (r: CollabUpdateResult) => void;
  reject: (err: unknown) => void;
}

interface UpdatesConfig {
  collabMaxDocumentChars: number;
  collabCompactUpdates: number;
  collabCompactBytes: number;
}

interface UpdatesDeps {
  realtime: Realtime;
  queue: Queue<JobPayloads['collab']>;
  config: UpdatesConfig;
  log: Logger;
}

/** Updates committed in one transaction at most (a burst waits for the next one). */
const MAX_BATCH = 200;
const PAGE = 2_000;
/** The origin of updates applied here (the copy's own transactions are told apart by it). */
const INCOMING = Symbol('incoming');

/** What the row lock reads: the row's counters, and its session's lock and mode. */
interface LockedRow {
  id: string;
  tenantId: string;
  ownerId: string | null;
  startedAt: Date | null;
  snapshotSeq: number;
  logCount: number;
  logBytes: number;
  locked: boolean;
  mode: string;
}

export class UpdateCommitter {
  private readonly cache = new DocCache();
  /** Documents with a transaction running, and the updates waiting for the next one. */
  private readonly waiting = new Map<string, Queued[]>();

  constructor(private readonly deps: UpdatesDeps) {}

  /** Commits an update in the document's next transaction; answers its cursor, or `stored: false` if it changed nothing. */
  commit(documentId: string, request: UpdateRequest): Promise<CollabUpdateResult> {
    return new Promise((resolve, reject) => {
      const item: Queued = { ...request, resolve, reject };
      const queue = this.waiting.get(documentId);
      if (queue) return void queue.push(item);
      this.waiting.set(documentId, []);
      void this.drain(documentId, [item]);
    });
  }

  /** Forgets the server's copy of a document (its log is going). */
  forget(documentId: string): void {
    this.cache.drop(documentId);
  }

  /** Queues the compaction of a document (one queued at a time); a failure is logged: the sweep catches up. */
  async queueCompaction(documentId: string): Promise<void> {
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

  private async drain(documentId: string, first: Queued[]): Promise<void> {
    let batch = first;
    while (batch.length > 0) {
      await this.commitBatch(documentId, batch);
      batch = this.waiting.get(documentId)!.splice(0, MAX_BATCH);
    }
    this.waiting.delete(documentId);
  }

  /** One transaction for a batch; settles every update of it (never throws). */
  private async commitBatch(documentId: string, batch: Queued[]): Promise<void> {
    const { realtime, config } = this.deps;
    const stream = collabDocStream(documentId);
    const answers = new Map<Queued, CollabUpdateResult | { refused: unknown }>();
    let due = false;
    try {
      await realtime.write(async (tx) => {
        const row = await this.lockRow(tx, documentId);
        if (!row) throw notFound('The document');
        let copy = await this.upToDate(tx, row);
        const accepted: { item: Queued; diff: Uint8Array }[] = [];
        for (const item of batch) {
          // The lock and the mode, as committed before this transaction: a lock stops the very next update.
          if (!item.manage && !isOpenFor(row, row)) {
            answers.set(item, { refused: closedTo(row) });
            continue;
          }
          const before = copy.doc.getText(ROOT).length;
          try {
            const update = item.make(copy.doc);
            const applied = update ? applyOne(copy.doc, update) : null;
            if (!applied) {
              answers.set(item, { stored: false, cursor: null });
              continue;
            }
            const after = copy.doc.getText(ROOT).length;
            if (after > config.collabMaxDocumentChars && after > before)
              throw new AppError('DOCUMENT_TOO_LARGE', `A document holds at most ${config.collabMaxDocumentChars} characters.`);
            accepted.push({ item, diff: applied });
          } catch (err) {
            // Refused alone; the copy may hold part of it: rebuilt from the database and the batch's accepted updates.
            answers.set(item, { refused: err });
            copy = await this.rebuild(
              tx,
              row,
              accepted.map((a) => a.diff),
            );
          }
        }
        if (accepted.length === 0) return;
        const events = await realtime.emitMany(
          stream,
          accepted.map(({ item, diff }) => ({
            tenantId: row.tenantId,
            type: 'update' as const,
            payload: { update: toBase64(diff), userId: item.userId, kind: item.kind, clientTag: item.clientTag },
          })),
        );
        accepted.forEach(({ item }, i) => answers.set(item, { stored: true, cursor: String(events[i]!.seq) }));
        const last = events[events.length - 1]!;
        const now = new Date(last.at);
        const logCount = row.logCount + accepted.length;
        const logBytes = row.logBytes + accepted.reduce((n, a) => n + a.diff.length, 0);
        const startsCopy =
          row.ownerId !== null && row.startedAt === null && accepted.some((a) => a.item.userId === row.ownerId && a.item.kind === 'edit');
        await tx
          .update(collabDocuments)
          .set({
            logCount,
            logBytes,
            textLength: copy.doc.getText(ROOT).length,
            editedAt: now,
            updatedAt: now,
            ...(startsCopy ? { startedAt: now } : {}),
          })
          .where(eq(collabDocuments.id, documentId));
        copy.seq = last.seq;
        copy.version = versionOf(row.snapshotSeq, logCount);
        due = logCount > config.collabCompactUpdates || logBytes > config.collabCompactBytes;
      });
    } catch (err) {
      // The copy may hold what was not committed. Nothing of the batch was stored: each caller gets the failure.
      this.cache.drop(documentId);
      for (const item of batch) if (!answers.has(item) || 'stored' in answers.get(item)!) answers.set(item, { refused: err });
    }
    for (const item of batch) {
      const a = answers.get(item)!;
      if ('refused' in a) item.reject(a.refused);
      else item.resolve(a);
    }
    if (due) void this.queueCompaction(documentId);
  }

  /** Locks the document row (not its states) and reads its session's lock and mode. */
  private async lockRow(tx: Tx, documentId: string): Promise<LockedRow | undefined> {
    const [row] = await tx
      .select({
        id: collabDocuments.id,
        tenantId: collabDocuments.tenantId,
        ownerId: collabDocuments.ownerId,
        startedAt: collabDocuments.startedAt,
        snapshotSeq: collabDocuments.snapshotSeq,
        logCount: collabDocuments.logCount,
        logBytes: collabDocuments.logBytes,
        locked: collabSessions.locked,
        mode: collabSessions.mode,
      })
      .from(collabDocuments)
      .innerJoin(collabSessions, eq(collabSessions.id, collabDocuments.sessionId))
      .where(eq(collabDocuments.id, documentId))
      .for('update', { of: collabDocuments });
    return row;
  }

  /** The server's copy of a locked document, brought up to the stream's head (read in the caller's transaction). */
  private async upToDate(tx: Tx, row: LockedRow): Promise<CachedDoc> {
    const id = row.id;
    const version = versionOf(row.snapshotSeq, row.logCount);
    let copy: CachedDoc | undefined = this.cache.get(id);
    // In step with the row: nobody wrote since (see the header).
    if (copy && copy.version === version) return copy;
    // Older than the snapshot: the updates between were compacted away; start again from the snapshot.
    if (!copy || copy.seq < row.snapshotSeq) copy = this.cache.set(id, docOf(await this.snapshotOf(tx, id)), row.snapshotSeq);
    await this.catchUp(tx, id, copy);
    copy.version = version;
    return copy;
  }

  /** The copy rebuilt from the database (snapshot + log) and `extra` (updates of this transaction), replacing it. */
  private async rebuild(tx: Tx, row: LockedRow, extra: Uint8Array[]): Promise<CachedDoc> {
    const copy: CachedDoc = this.cache.set(row.id, docOf(await this.snapshotOf(tx, row.id)), row.snapshotSeq);
    await this.catchUp(tx, row.id, copy);
    for (const u of extra) Y.applyUpdate(copy.doc, u, INCOMING);
    copy.version = versionOf(row.snapshotSeq, row.logCount);
    return copy;
  }

  private async catchUp(tx: Tx, id: string, copy: CachedDoc): Promise<void> {
    for (;;) {
      const page = await this.deps.realtime.read(collabDocStream(id), copy.seq, PAGE, tx);
      for (const ev of page) {
        Y.applyUpdate(copy.doc, fromBase64(ev.payload.update));
        copy.seq = ev.seq;
      }
      if (page.length < PAGE) return;
    }
  }

  private async snapshotOf(tx: Tx, id: string): Promise<Uint8Array> {
    const [r] = await tx.select({ snapshot: collabDocuments.snapshot }).from(collabDocuments).where(eq(collabDocuments.id, id));
    if (!r) throw notFound('The document');
    return r.snapshot;
  }
}

const versionOf = (snapshotSeq: number, logCount: number) => `${snapshotSeq}:${logCount}`;

/**
 * Applies one update to the copy: what it added (null when nothing: a resend). MALFORMED_UPDATE when Yjs cannot apply
 * it, OUT_OF_SYNC when it depends on updates the server does not have (the client then sends its whole state).
 */
function applyOne(doc: Y.Doc, update: Uint8Array): Uint8Array | null {
  let applied: ReturnType<typeof applyTo>;
  try {
    applied = applyTo(doc, update, INCOMING);
  } catch {
    throw new AppError('MALFORMED_UPDATE', 'This update could not be applied to the document.');
  }
  if (applied.missing)
    throw new AppError('OUT_OF_SYNC', 'This update depends on changes the server does not have: send the whole document state.');
  return applied.diff;
}
