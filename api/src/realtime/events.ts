/**
 * Persisted stream events: append inside a transaction, read back for replay and gap filling; and the types
 * every feature's `events.ts` is written with (`defineStream`, `StreamEvent`, `EphemeralSignal`).
 */
import { and, asc, eq, gt, gte, inArray, lte, sql, type SQL } from 'drizzle-orm';
import { streamCounters, streamEvents } from './tables.js';
import { rows, type Tx } from '../db/client.js';

/** One kind of event (or signal) of a stream: its type and its payload. A feature unions them in its `events.ts`. */
export interface EventShape {
  type: string;
  payload: unknown;
}

declare const EVENTS: unique symbol;
declare const SIGNALS: unique symbol;

/**
 * A stream's name, typed by the events stored on it (`E`) and the ephemeral signals sent on it (`S`). At run time
 * it is the plain string `kind:id`; the types only exist for the compiler, so that `emit`, `signal` and every
 * subscriber of the stream agree on its payloads. Made by `defineStream` only (a bare string is not a Stream).
 */
export type Stream<E extends EventShape = EventShape, S extends EventShape = EventShape> = string & {
  readonly [EVENTS]: E;
  readonly [SIGNALS]: S;
};

/**
 * A feature's stream names, in its `events.ts` (`{ durable: true }`: the stored events are kept until the feature
 * truncates them, whatever the retention period):
 *
 *   export type RoomEvent = { type: 'message.added'; payload: { message: MessageView } } | …;
 *   export type RoomSignal = { type: 'typing'; payload: { userId: string; typing: boolean } } | …;
 *   export const roomStream = defineStream<RoomEvent, RoomSignal>('room');   // roomStream(id) = `room:${id}`
 *
 * A stream without signals leaves `S` out (then `signal` refuses it); one with signals only passes `never` as `E`.
 */
export function defineStream<E extends EventShape, S extends EventShape = never>(
  kind: string,
  opts: { durable?: boolean } = {},
): (id: string) => Stream<E, S> {
  if (opts.durable) DURABLE_KINDS.add(kind);
  return (id) => `${kind}:${id}` as Stream<E, S>;
}

/**
 * Kinds of streams whose stored events are data, not a replay window (a collab document's update log): the
 * retention sweep (compaction.ts) leaves them alone; their feature removes what it has merged (Realtime.truncate).
 */
const DURABLE_KINDS = new Set<string>();
export const durableStreamKinds = (): readonly string[] => [...DURABLE_KINDS];
/** Whether a stream is of a durable kind: its kept events have no holes but a truncated prefix. */
export const isDurableStream = (stream: string): boolean => DURABLE_KINDS.has(stream.slice(0, stream.indexOf(':')));

/** A committed event as subscribers get it; over a union of events, `switch (ev.type)` narrows `ev.payload`. */
export type StreamEvent<E extends EventShape = EventShape> = E extends EventShape
  ? {
      stream: string;
      seq: number;
      tenantId: string;
      type: E['type'];
      payload: E['payload'];
      /** ISO timestamp of the commit. */
      at: string;
    }
  : never;

/** An ephemeral signal as subscribers get it (narrowed by `type` like an event). */
export type EphemeralSignal<S extends EventShape = EventShape> = S extends EventShape
  ? {
      stream: string;
      type: S['type'];
      payload: S['payload'];
      /** Epoch milliseconds after which the signal is stale; clients re-send it as a heartbeat. */
      expiresAt: number;
    }
  : never;

/** What `appendEvent` stores (the realtime module's own view: features emit through `Emit`, typed by their stream). */
export interface NewEvent {
  stream: string;
  tenantId: string;
  type: string;
  payload: unknown;
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
export async function appendEvent(tx: Tx, ev: NewEvent): Promise<StreamEvent> {
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
  return {
    stream: ev.stream,
    seq: Number(row!.seq),
    tenantId: ev.tenantId,
    type: ev.type,
    payload: ev.payload,
    at: new Date(row!.created_at).toISOString(),
  };
}

/**
 * `appendEvent` for many streams at once, one statement whatever their number (a fan-out: one event on each of 500
 * users' streams). Each stream once per call (a counter row cannot be taken twice in one statement); the counters
 * are taken in stream-name order, so two such writes over overlapping streams lock them in the same order.
 */
export async function appendEvents(tx: Tx, list: readonly NewEvent[]): Promise<StreamEvent[]> {
  if (list.length === 0) return [];
  const streams = new Set<string>();
  for (const ev of list) {
    assertStreamName(ev.stream);
    if (streams.has(ev.stream)) throw new Error(`appendEvents: ${ev.stream} twice in one call`);
    streams.add(ev.stream);
  }
  const input = JSON.stringify(list.map((ev) => ({ stream: ev.stream, tenant_id: ev.tenantId, type: ev.type, payload: ev.payload ?? {} })));
  const saved = await rows<{ stream: string; seq: string | number; created_at: Date | string }>(
    tx,
    sql`with input as (
          select * from jsonb_to_recordset(${input}::jsonb) as x(stream text, tenant_id uuid, type text, payload jsonb)),
        c as (
          insert into ${streamCounters} (stream, seq) select stream, 1 from input order by stream
          on conflict (stream) do update set seq = ${streamCounters}.seq + 1
          returning stream, seq)
        insert into ${streamEvents} (stream, seq, tenant_id, type, payload)
        select c.stream, c.seq, input.tenant_id, input.type, input.payload from c join input on input.stream = c.stream
        returning stream, seq, created_at`,
  );
  const byStream = new Map(saved.map((r) => [r.stream, r]));
  return list.map((ev) => {
    const r = byStream.get(ev.stream)!;
    return {
      stream: ev.stream,
      seq: Number(r.seq),
      tenantId: ev.tenantId,
      type: ev.type,
      payload: ev.payload,
      at: new Date(r.created_at).toISOString(),
    };
  });
}

/**
 * Several events on ONE stream, one statement whatever their number (a batch of a document's updates committed
 * together): the counter row takes +n once, the events get consecutive numbers in list order.
 */
export async function appendStreamEvents(tx: Tx, stream: string, list: readonly Omit<NewEvent, 'stream'>[]): Promise<StreamEvent[]> {
  if (list.length === 0) return [];
  assertStreamName(stream);
  const n = list.length;
  const input = JSON.stringify(list.map((ev) => ({ tenant_id: ev.tenantId, type: ev.type, payload: ev.payload ?? {} })));
  const saved = await rows<{ seq: string | number; created_at: Date | string }>(
    tx,
    sql`with c as (
          insert into ${streamCounters} (stream, seq) values (${stream}, ${n})
          on conflict (stream) do update set seq = ${streamCounters}.seq + ${n}
          returning seq)
        insert into ${streamEvents} (stream, seq, tenant_id, type, payload)
        select ${stream}, c.seq - ${n} + x.ord, (x.ev->>'tenant_id')::uuid, x.ev->>'type', x.ev->'payload'
        from c, jsonb_array_elements(${input}::jsonb) with ordinality as x(ev, ord)
        returning seq, created_at`,
  );
  const bySeq = saved.map((r) => ({ seq: Number(r.seq), at: new Date(r.created_at).toISOString() })).sort((a, b) => a.seq - b.seq);
  return list.map((ev, i) => ({
    stream,
    seq: bySeq[i]!.seq,
    tenantId: ev.tenantId,
    type: ev.type,
    payload: ev.payload,
    at: bySeq[i]!.at,
  }));
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

/** Events with seq > after (and <= upTo when given), oldest first; typed by the stream when it is a typed one. */
export async function readEvents<E extends EventShape = EventShape>(
  db: Tx,
  stream: Stream<E, EventShape> | string,
  after: number,
  limit: number,
  upTo?: number,
): Promise<StreamEvent<E>[]> {
  const where =
    upTo === undefined
      ? and(eq(streamEvents.stream, stream), gt(streamEvents.seq, after))
      : and(eq(streamEvents.stream, stream), gt(streamEvents.seq, after), lte(streamEvents.seq, upTo));
  const rows = await db.select().from(streamEvents).where(where).orderBy(asc(streamEvents.seq)).limit(limit);
  // What is stored on a stream is what its definition says (emit checked it): the one place this is trusted.
  return rows.map(toEvent) as StreamEvent<E>[];
}

/** The last committed sequence number of a stream (0 for a stream never written). */
export async function headSeq(db: Tx, stream: string): Promise<number> {
  const [row] = await db.select({ seq: streamCounters.seq }).from(streamCounters).where(eq(streamCounters.stream, stream));
  return row ? Number(row.seq) : 0;
}

/** `headSeq` as an SQL expression, for a statement that reads a stream's head and writes with it in one round trip. */
export function headSeqSql(stream: string): SQL<number> {
  return sql<number>`coalesce((select ${streamCounters.seq} from ${streamCounters} where ${streamCounters.stream} = ${stream}), 0)`;
}

/** The last committed sequence numbers of several streams, in one query (0 for a stream never written). */
export async function headSeqs(db: Tx, streams: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>(streams.map((s) => [s, 0]));
  if (streams.length === 0) return out;
  const found = await db
    .select({ stream: streamCounters.stream, seq: streamCounters.seq })
    .from(streamCounters)
    .where(inArray(streamCounters.stream, [...streams]));
  for (const r of found) out.set(r.stream, Number(r.seq));
  return out;
}

/** A JSON path inside an event's payload, e.g. ['message', 'body']. */
export type PayloadPath = readonly [string, ...string[]];

/**
 * What to erase from stored events: in `streams`, the events (with seq >= `fromSeq` when given) whose payload
 * holds `equals` at `where` get each `set` path replaced by its value. The rows keep their shape (`jsonb_set`),
 * so they replay as before, without what was erased.
 */
export interface Redaction {
  streams: readonly string[];
  fromSeq?: number;
  where: PayloadPath;
  equals: string;
  set: readonly (readonly [PayloadPath, unknown])[];
}

const PATH_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Applies a redaction in the caller's transaction; returns how many stored events changed. */
export async function redactEvents(tx: Tx, r: Redaction): Promise<number> {
  if (r.streams.length === 0 || r.set.length === 0) return 0;
  for (const s of r.streams) assertStreamName(s);
  const pathOf = (p: PayloadPath) => {
    if (!p.every((k) => PATH_KEY.test(k))) throw new Error(`invalid payload path: ${p.join('.').slice(0, 80)}`);
    return `{${p.join(',')}}`;
  };
  let payload: SQL = sql`${streamEvents.payload}`;
  for (const [path, value] of r.set) payload = sql`jsonb_set(${payload}, ${pathOf(path)}::text[], ${JSON.stringify(value)}::jsonb)`;
  const conds = [
    r.streams.length === 1 ? eq(streamEvents.stream, r.streams[0]!) : inArray(streamEvents.stream, [...r.streams]),
    sql`${streamEvents.payload} #>> ${pathOf(r.where)}::text[] = ${r.equals}`,
  ];
  if (r.fromSeq !== undefined) conds.push(gte(streamEvents.seq, r.fromSeq));
  const changed = await tx
    .update(streamEvents)
    .set({ payload })
    .where(and(...conds))
    .returning({ seq: streamEvents.seq });
  return changed.length;
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

/** Deletes the stored events of a stream up to `uptoSeq` (a durable stream's merged log); returns how many. */
export async function truncateEvents(tx: Tx, stream: string, uptoSeq: number): Promise<number> {
  assertStreamName(stream);
  const gone = await tx
    .delete(streamEvents)
    .where(and(eq(streamEvents.stream, stream), lte(streamEvents.seq, uptoSeq)))
    .returning({ seq: streamEvents.seq });
  return gone.length;
}
