/** Persisted stream events: append inside a transaction, read back for replay and gap filling. */
import { and, asc, eq, gt, lte, sql } from 'drizzle-orm';
import { streamCounters, streamEvents } from '../db/schema.js';
import { rows, type Tx } from '../db/client.js';

export interface StreamEvent<P = unknown> {
  stream: string;
  seq: number;
  tenantId: string;
  type: string;
  payload: P;
  /** ISO timestamp of the commit. */
  at: string;
}

export interface NewEvent<P = unknown> {
  stream: string;
  tenantId: string;
  type: string;
  payload: P;
}

/** Stream names: `kind:id[:part]`, ASCII, bounded, so they are safe as Redis channel names. */
const STREAM_NAME = /^[a-z][a-z0-9_-]{0,31}:[A-Za-z0-9_.:-]{1,200}$/;
export function assertStreamName(stream: string): void {
  if (!STREAM_NAME.test(stream)) throw new Error(`invalid stream name: ${JSON.stringify(stream).slice(0, 80)}`);
}

/**
 * Takes the next sequence number of the stream and writes the event, in the caller's transaction. The
 * counter row's UPDATE locks it until commit, so concurrent writers to one stream serialise and numbers are
 * assigned in commit order (no reader ever sees seq N+1 before N is committed).
 */
export async function appendEvent<P>(tx: Tx, ev: NewEvent<P>): Promise<StreamEvent<P>> {
  assertStreamName(ev.stream);
  // One statement, one round trip: the counter's upsert and the event's insert.
  const [row] = await rows<{ seq: string | number; created_at: Date | string }>(
    tx,
    sql`with c as (
          insert into ${streamCounters} (stream, seq) values (${ev.stream}, 1)
          on conflict (stream) do update set seq = ${streamCounters}.seq + 1
          returning seq)
        insert into ${streamEvents} (stream, seq, tenant_id, type, payload)
        select ${ev.stream}, c.seq, ${ev.tenantId}, ${ev.type}, ${JSON.stringify(ev.payload ?? {})}::jsonb from c
        returning seq, created_at`,
  );
  return { stream: ev.stream, seq: Number(row!.seq), tenantId: ev.tenantId, type: ev.type, payload: ev.payload, at: new Date(row!.created_at).toISOString() };
}

type Row = typeof streamEvents.$inferSelect;
const toEvent = (r: Row): StreamEvent => ({
  stream: r.stream,
  seq: Number(r.seq),
  tenantId: r.tenantId,
  type: r.type,
  payload: r.payload,
  at: r.createdAt.toISOString(),
});

/** Events with seq > after (and <= upTo when given), oldest first. */
export async function readEvents(db: Tx, stream: string, after: number, limit: number, upTo?: number): Promise<StreamEvent[]> {
  const where = upTo === undefined
    ? and(eq(streamEvents.stream, stream), gt(streamEvents.seq, after))
    : and(eq(streamEvents.stream, stream), gt(streamEvents.seq, after), lte(streamEvents.seq, upTo));
  const rows = await db.select().from(streamEvents).where(where).orderBy(asc(streamEvents.seq)).limit(limit);
  return rows.map(toEvent);
}

/** The last committed sequence number of a stream (0 for a stream never written). */
export async function headSeq(db: Tx, stream: string): Promise<number> {
  const [row] = await db.select({ seq: streamCounters.seq }).from(streamCounters).where(eq(streamCounters.stream, stream));
  return row ? Number(row.seq) : 0;
}

/** The oldest retained sequence number, or null when the stream has no events left. */
export async function oldestSeq(db: Tx, stream: string): Promise<number | null> {
  const [row] = await db
    .select({ seq: streamEvents.seq })
    .from(streamEvents)
    .where(eq(streamEvents.stream, stream))
    .orderBy(asc(streamEvents.seq))
    .limit(1);
  return row ? Number(row.seq) : null;
}
