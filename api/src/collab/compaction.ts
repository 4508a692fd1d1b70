/**
 * Compaction of a collab document (the collab queue's job, and the periodic sweep that queues it): the update log (the
 * document's stream after `snapshot_seq`) merged into the snapshot, the merged updates moved into a history segment
 * (replay still goes edit by edit) and deleted from the stream. Also the log reads loading and replay share.
 */
import { eq, gt, or } from 'drizzle-orm';
import * as Y from 'yjs';
import type { Tx } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { Realtime, StreamEvent } from '../realtime/realtime.js';
import { collabDocStream, type CollabDocEvent } from './events.js';
import { collabDocuments, collabHistory } from './tables.js';
import { encodeHistory, type HistoryStep } from './history.js';
import { docOf, fromBase64 } from './ydoc.js';

/** What compaction did (the job's result). */
export interface CompactResult {
  compacted: boolean;
  merged: number;
  snapshotSeq: number;
}

interface CompactionDeps {
  db: Tx;
  realtime: Realtime;
  config: { collabCompactUpdates: number; collabCompactBytes: number };
  log: Logger;
  /** Queues one document's compaction (updates.ts). */
  queue: (documentId: string) => Promise<void>;
}

const PAGE = 2_000;

export class Compaction {
  constructor(private readonly deps: CompactionDeps) {}

  /**
   * Merges the document's log into its snapshot and moves the merged updates into a history segment. Updates that
   * arrive meanwhile come after the merged head and stay in the log; when another compaction won, this one gives up.
   */
  async compact(documentId: string): Promise<CompactResult> {
    const { realtime } = this.deps;
    const read = await readConsistent(this.deps.db, async (tx) => {
      const [row] = await tx.select().from(collabDocuments).where(eq(collabDocuments.id, documentId));
      if (!row) return null;
      return { row, log: await readLog(realtime, tx, row.id, row.snapshotSeq) };
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
    // Under the row's lock, as the updates' commits (updates.ts): moving snapshot_seq tells their copies to catch up.
    const done = await realtime.write(async (tx) => {
      const [locked] = await tx
        .select({ snapshotSeq: collabDocuments.snapshotSeq })
        .from(collabDocuments)
        .where(eq(collabDocuments.id, documentId))
        .for('update');
      if (!locked || locked.snapshotSeq !== S) return false;
      const rest = await readLog(realtime, tx, documentId, N);
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
      await realtime.truncate(tx, stream, N);
      return true;
    });
    if (done) this.deps.log.info({ documentId, merged: log.length, snapshotSeq: N, bytes: snapshot.length }, 'collab: log compacted');
    return { compacted: done, merged: done ? log.length : 0, snapshotSeq: done ? N : S };
  }

  /** Queues the compaction of every document whose log is over a threshold (the periodic sweep). */
  async sweep(): Promise<number> {
    const { collabCompactUpdates, collabCompactBytes } = this.deps.config;
    const due = await this.deps.db
      .select({ id: collabDocuments.id })
      .from(collabDocuments)
      .where(or(gt(collabDocuments.logCount, collabCompactUpdates), gt(collabDocuments.logBytes, collabCompactBytes)))
      .limit(1000);
    for (const d of due) await this.deps.queue(d.id);
    return due.length;
  }
}

/** Every stored update of a document after `after`, oldest first. */
export async function readLog(realtime: Realtime, tx: Tx, documentId: string, after: number): Promise<StreamEvent<CollabDocEvent>[]> {
  const out: StreamEvent<CollabDocEvent>[] = [];
  let last = after;
  for (;;) {
    const page = await realtime.read(collabDocStream(documentId), last, PAGE, tx);
    out.push(...page);
    if (page.length < PAGE) return out;
    last = page[page.length - 1]!.seq;
  }
}

/** Runs reads in one snapshot of the database (a read-only repeatable-read transaction). */
export function readConsistent<T>(db: Tx, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(fn, { isolationLevel: 'repeatable read', accessMode: 'read only' });
}

/** A stored update as a replay step. */
export const stepOf = (ev: StreamEvent<CollabDocEvent>): HistoryStep => ({
  seq: ev.seq,
  at: Date.parse(ev.at),
  userId: ev.payload.userId,
  kind: ev.payload.kind,
  update: fromBase64(ev.payload.update),
});
