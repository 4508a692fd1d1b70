/**
 * The one realtime mechanism (DESIGN.md): commit to PostgreSQL with a per-stream sequence, publish on Redis
 * after commit, subscriptions replay from a cursor then continue live with no gap and no duplicate.
 * Features call `write` to change data and emit events, `signal` for ephemeral state, `subscribe` to serve
 * a subscription. Nothing else in the code base talks to Redis pub/sub, or to the tables of stored events.
 *
 * Every stream is typed by its feature's `events.ts` (`defineStream<Events, Signals>('kind')`): `emit`, `signal`
 * and `subscribe` take the typed stream, so a payload of the wrong shape does not compile and a subscriber's
 * `switch (ev.type)` narrows the payload without a cast.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { SQL } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.js';
import { AppError } from '../errors.js';
import {
  appendEvent,
  appendEvents,
  appendStreamEvents,
  assertStreamName,
  headSeq,
  headSeqSql,
  headSeqs,
  isDurableStream,
  oldestSeq,
  readEvents,
  redactEvents,
  truncateEvents,
  type EphemeralSignal,
  type EventShape,
  type NewEvent,
  type PayloadPath,
  type Stream,
  type StreamEvent,
} from './events.js';
import { channelOf, CONTROL_CHANNEL, Hub, type ControlMessage, type HubMessage } from './hub.js';
import { AsyncQueue } from './async-queue.js';
import { cursorExpired, Fanout, FEED, type Feed, type FeedSpec } from './fanout.js';
import { onAbort } from '../abort.js';

export { defineStream } from './events.js';
export type { StreamEvent, NewEvent, EphemeralSignal, EventShape, Stream, PayloadPath, ControlMessage, Feed, FeedSpec };
/** One signal of a batch (`signalMany`). */
export interface OutgoingSignal<S extends EventShape> {
  stream: Stream<EventShape, S>;
  signal: S;
  ttlMs: number;
}
/**
 * Stores an event on a stream in the write's transaction (published after the commit). The stream's type decides
 * which `type` and `payload` fit: `emit(roomStream(id), { tenantId, type: 'message.added', payload: { message } })`.
 */
export type Emit = <E extends EventShape>(stream: Stream<E, EventShape>, ev: NoInfer<E> & { tenantId: string }) => Promise<StreamEvent<E>>;

/** Queues a cache invalidation, applied everywhere after the commit and before the events go out. */
export type Invalidate = (msg: ControlMessage) => void;

export interface SubscribeOptions<E extends EventShape = EventShape> {
  /** Resume after this sequence number: everything committed later is replayed first. */
  after?: number | null;
  /** Checked for every event before it is handed over; false ends the subscription with FORBIDDEN. */
  authorize?: (ev: StreamEvent<E>) => boolean | Promise<boolean>;
  /** Also hand over ephemeral signals of the stream. */
  signals?: boolean;
  signal?: AbortSignal;
}

/** What a subscriber gets: a stored event or a signal, typed by the stream (narrow on `kind`, then on `type`). */
export type Delivery<E extends EventShape = EventShape, S extends EventShape = EventShape> =
  { kind: 'event'; event: StreamEvent<E> } | { kind: 'signal'; signal: EphemeralSignal<S> };

/**
 * Erasing from a stream's stored events (a deleted message): the events of `stream` (from `fromSeq` on, when
 * given) whose payload holds `equals` at `where` get each `set` path replaced by its value. Stored rows keep
 * their shape, so they still replay. Paths are keys of the payload (`['message', 'body']`).
 */
export interface RedactOptions {
  fromSeq?: number;
  where: PayloadPath;
  equals: string;
  set: readonly (readonly [PayloadPath, unknown])[];
}

const REPLAY_PAGE = 500;

export class Realtime {
  readonly hub: Hub;
  /** Fan-out groups: feeds served to many subscribers for the cost of one (see fanout.ts). */
  readonly fanout: Fanout;
  private activeSubs = 0;

  constructor(
    private readonly db: Db,
    /** The commands connection (publishing, and the realtime side's counters: presence, socket counts). */
    readonly pub: Redis,
    sub: Redis,
    private readonly log: Logger,
  ) {
    this.hub = new Hub(db, sub, log);
    this.fanout = new Fanout(db, this.hub, log, (stream, after, head) => this.checkCursor(stream, after, head));
  }

  /** Live subscriptions on this instance: iterated ones and fan-out group members. */
  get activeSubscriptions(): number {
    return this.activeSubs + this.fanout.members;
  }

  /**
   * A stream served as a feed: what a subscribe resolver returns when the field's payload is the same for every
   * reader. The WebSocket transport serves it through a fan-out group; iterated (SSE, tests), it is
   * `subscribe` mapped by `spec.map`, with the same checks.
   */
  feed<T, E extends EventShape, S extends EventShape>(spec: FeedSpec<T, E, S>): Feed<T> {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the iterator is a generator method of the returned object
    const self = this;
    return {
      [FEED]: spec as FeedSpec<T>,
      async *[Symbol.asyncIterator]() {
        try {
          if (spec.initial !== undefined) yield spec.initial;
          for await (const d of self.subscribe(spec.stream, {
            after: spec.after,
            signals: spec.signals,
            authorize: () => spec.authorizeNow() ?? spec.authorize(),
            signal: spec.signal,
          })) {
            // Signals are checked like events.
            if (d.kind === 'signal' && !(spec.authorizeNow() ?? (await spec.authorize()))) throw forbidden();
            const root = spec.map(d);
            if (root !== null) yield root;
          }
        } finally {
          spec.onEnd?.();
        }
      },
    };
  }

  /**
   * Runs `fn` in one transaction; events it emits get their sequence numbers inside it and are published
   * only after the commit. Returns what `fn` returns.
   */
  /** The write in progress on this async path: a write inside a write joins it (one transaction, one commit). */
  private readonly currentWrite = new AsyncLocalStorage<{ tx: Tx; emit: Emit; invalidate: Invalidate; emitted: StreamEvent[] }>();

  async write<T>(fn: (tx: Tx, emit: Emit, invalidate: Invalidate) => Promise<T>): Promise<T> {
    const outer = this.currentWrite.getStore();
    if (outer) return fn(outer.tx, outer.emit, outer.invalidate);
    const emitted: StreamEvent[] = [];
    const controls: ControlMessage[] = [];
    const result = await this.db.transaction(async (tx) => {
      const emit: Emit = async <E extends EventShape>(stream: Stream<E, EventShape>, ev: NoInfer<E> & { tenantId: string }) => {
        const saved = await appendEvent(tx, { stream, tenantId: ev.tenantId, type: ev.type, payload: ev.payload });
        emitted.push(saved);
        // It was just built from `ev`, which the stream's type checked.
        return saved as StreamEvent<E>;
      };
      const invalidate: Invalidate = (m) => void controls.push(m);
      return this.currentWrite.run({ tx, emit, invalidate, emitted }, () => fn(tx, emit, invalidate));
    });
    // Invalidations first, locally at once and to other instances on the same connection as the events,
    // so that no instance authorizes an event of this write against what the write changed.
    for (const m of controls) {
      this.hub.applyControl(m);
      this.pub
        .publish(CONTROL_CHANNEL, JSON.stringify(m))
        .catch((err: unknown) => this.log.error({ err, m }, 'realtime: control message not published'));
    }
    for (const ev of emitted) this.publish(ev);
    return result;
  }

  /**
   * `emit` for many streams of one kind at once, in the current write (or a new one): one event on each, stored in
   * one statement whatever their number (a fan-out to every member of a course), published after the commit.
   */
  async emitEach<E extends EventShape>(
    list: readonly { stream: Stream<E, EventShape>; event: NoInfer<E> & { tenantId: string } }[],
  ): Promise<StreamEvent<E>[]> {
    if (list.length === 0) return [];
    return this.write(async (tx) => {
      const saved = await appendEvents(
        tx,
        list.map(({ stream, event }) => ({ stream, tenantId: event.tenantId, type: event.type, payload: event.payload })),
      );
      this.currentWrite.getStore()!.emitted.push(...saved);
      // Built from events the stream's type checked.
      return saved as StreamEvent<E>[];
    });
  }

  /**
   * `emit` of several events on ONE stream, in the current write (or a new one): stored in one statement, numbered
   * consecutively in list order, published after the commit (a batch of a document's updates committed together).
   */
  async emitMany<E extends EventShape>(
    stream: Stream<E, EventShape>,
    events: readonly (NoInfer<E> & { tenantId: string })[],
  ): Promise<StreamEvent<E>[]> {
    if (events.length === 0) return [];
    return this.write(async (tx) => {
      const saved = await appendStreamEvents(
        tx,
        stream,
        events.map((ev) => ({ tenantId: ev.tenantId, type: ev.type, payload: ev.payload })),
      );
      this.currentWrite.getStore()!.emitted.push(...saved);
      // Built from events the stream's type checked.
      return saved as StreamEvent<E>[];
    });
  }

  /** Publishes a committed event. A failure loses nothing: subscribers fill holes from the database. */
  private publish(ev: StreamEvent): void {
    this.hub.deliverLocal(ev);
    const msg: HubMessage = { kind: 'event', event: ev };
    this.pub.publish(channelOf(ev.stream), JSON.stringify(msg)).catch((err: unknown) => {
      this.log.warn({ err, stream: ev.stream, seq: ev.seq }, 'realtime: publish failed; other instances will read it on their next event');
    });
  }

  /**
   * An ephemeral signal (typing, presence, cursor): not stored, expires after ttlMs unless re-sent. The stream's
   * type decides which `type` and `payload` fit: `signal(roomStream(id), { type: 'typing', payload }, ttl)`.
   */
  async signal<S extends EventShape>(stream: Stream<EventShape, S>, sig: NoInfer<S>, ttlMs: number): Promise<void> {
    assertStreamName(stream);
    const msg: HubMessage = { kind: 'signal', signal: { stream, type: sig.type, payload: sig.payload, expiresAt: Date.now() + ttlMs } };
    await this.pub.publish(channelOf(stream), JSON.stringify(msg));
  }

  /** Several signals in one round trip to Redis (a burst: many tabs leaving at once). */
  async signalMany<S extends EventShape>(list: readonly OutgoingSignal<S>[]): Promise<void> {
    if (list.length === 0) return;
    const pipe = this.pub.pipeline();
    const now = Date.now();
    for (const s of list) {
      assertStreamName(s.stream);
      const msg: HubMessage = {
        kind: 'signal',
        signal: { stream: s.stream, type: s.signal.type, payload: s.signal.payload, expiresAt: now + s.ttlMs },
      };
      pipe.publish(channelOf(s.stream), JSON.stringify(msg));
    }
    await pipe.exec();
  }

  /** The last committed sequence number of each stream (0 for a stream never written): where to follow it from. */
  heads(streams: readonly Stream[]): Promise<Map<string, number>> {
    return headSeqs(this.db, streams);
  }

  /** The last committed sequence number of one stream (0 when never written). */
  head(stream: Stream): Promise<number> {
    return headSeq(this.db, stream);
  }

  /** The same as an SQL expression, read by the statement it is part of (one round trip for a read and a write). */
  headSql(stream: Stream): SQL<number> {
    return headSeqSql(stream);
  }

  /**
   * A stream's head and what `read` reads, from one snapshot (a read-only repeatable-read transaction): for a list
   * its follower merges as deltas (sums), which must reflect exactly the events up to that head, none after.
   */
  async atHead<T>(stream: Stream, read: (tx: Tx) => Promise<T>): Promise<{ head: number; value: T }> {
    return this.db.transaction(async (tx) => ({ head: await headSeq(tx, stream), value: await read(tx) }), {
      isolationLevel: 'repeatable read',
      accessMode: 'read only',
    });
  }

  /**
   * Erases something from the stored events of one or more streams of one kind, in the caller's transaction
   * (`write`'s `tx`): what a deletion must take out of the replay log (see RedactOptions). Returns how many stored
   * events changed. Live subscribers are not told: the feature emits its own event for that (message.deleted).
   */
  redact<E extends EventShape>(
    tx: Tx,
    streams: Stream<E, EventShape> | readonly Stream<E, EventShape>[],
    opts: RedactOptions,
  ): Promise<number> {
    const list: readonly string[] = typeof streams === 'string' ? [streams] : streams;
    return redactEvents(tx, { streams: list, ...opts });
  }

  /**
   * The stored events of a stream after `after` (at most `limit`, oldest first), read through `db` (a transaction's,
   * for a read consistent with others): what a feature that keeps data in a durable stream loads it from.
   */
  read<E extends EventShape>(stream: Stream<E, EventShape>, after: number, limit: number, db: Tx = this.db): Promise<StreamEvent<E>[]> {
    return readEvents(db, stream, after, limit);
  }

  /**
   * Deletes a durable stream's stored events up to `uptoSeq`, in the caller's transaction, once its feature has merged
   * them elsewhere (a collab document's compacted snapshot). Subscriptions resuming from an older cursor then get
   * CURSOR_EXPIRED and reload. Returns how many were deleted.
   */
  truncate(tx: Tx, stream: Stream, uptoSeq: number): Promise<number> {
    return truncateEvents(tx, stream, uptoSeq);
  }

  /**
   * Replays what was committed after `opts.after`, then continues live. Events arrive once each, in
   * sequence order. Ends when `opts.signal` aborts or the consumer returns.
   */
  subscribe<E extends EventShape, S extends EventShape>(
    stream: Stream<E, S>,
    opts: SubscribeOptions<E> = {},
  ): AsyncGenerator<Delivery<E, S>> {
    // What the database and the hub hold for a stream is what its definition says: the one place this is trusted.
    return this.subscribeAny(stream, opts as SubscribeOptions) as AsyncGenerator<Delivery<E, S>>;
  }

  private async *subscribeAny(stream: string, opts: SubscribeOptions): AsyncGenerator<Delivery> {
    assertStreamName(stream);
    const queue = new AsyncQueue<HubMessage>();
    const stopListening = onAbort(opts.signal, () => queue.end());
    const listening = await this.hub.listen(stream, (m) => {
      if (m.kind === 'signal' && !opts.signals) return;
      queue.push(m);
    });
    this.activeSubs++;
    try {
      let last = listening.fromSeq;
      if (opts.after !== undefined && opts.after !== null) {
        await this.checkCursor(stream, opts.after, listening.fromSeq);
        last = opts.after;
        // Replay: everything up to at least fromSeq is committed, so the database has it.
        for (;;) {
          const page = await readEvents(this.db, stream, last, REPLAY_PAGE);
          for (const ev of page) {
            // A durable stream truncated (compacted) after the cursor was checked: what followed it is gone.
            if (ev.seq !== last + 1 && isDurableStream(stream)) throw cursorExpired();
            if (opts.authorize && !(await opts.authorize(ev))) throw forbidden();
            last = ev.seq;
            yield { kind: 'event', event: ev };
          }
          if (page.length < REPLAY_PAGE) break;
        }
        // Everything up to fromSeq was committed before the replay: falling short of it, it was truncated meanwhile.
        if (last < listening.fromSeq && isDurableStream(stream)) throw cursorExpired();
      }
      for (;;) {
        const m = await queue.next();
        if (m === undefined) return;
        if (m.kind === 'signal') {
          if (m.signal.expiresAt > Date.now()) yield m;
          continue;
        }
        const ev = m.event;
        if (ev.seq <= last) continue; // replayed already
        if (ev.seq !== last + 1) {
          // The hub delivers without holes from fromSeq on; this only guards against a broken invariant.
          const missing = await readEvents(this.db, stream, last, ev.seq - last - 1, ev.seq - 1);
          for (const old of missing) {
            if (opts.authorize && !(await opts.authorize(old))) throw forbidden();
            last = old.seq;
            yield { kind: 'event', event: old };
          }
        }
        if (opts.authorize && !(await opts.authorize(ev))) throw forbidden();
        last = ev.seq;
        yield m;
      }
    } finally {
      this.activeSubs--;
      listening.stop();
      stopListening();
    }
  }

  async checkCursor(stream: string, after: number, head: number): Promise<void> {
    if (!Number.isSafeInteger(after) || after < 0) throw new AppError('BAD_CURSOR', 'The cursor is not valid.');
    const last = Math.max(head, await headSeq(this.db, stream));
    if (after > last) {
      throw new AppError('BAD_CURSOR', 'The cursor is ahead of this stream: it does not belong to it.');
    }
    if (after === last) return;
    // Events after the cursor were committed; if the oldest kept is past the next one (or none is kept), some are gone.
    const oldest = await oldestSeq(this.db, stream);
    // A durable stream's seq 0 is a position too (a document loaded before its first update), not "whatever is kept".
    if ((after > 0 || isDurableStream(stream)) && (oldest === null || oldest > after + 1)) throw cursorExpired();
  }

  close(): void {
    this.hub.close();
  }
}

const forbidden = () => new AppError('FORBIDDEN', 'You no longer have access to this stream.');
