/**
 * The one realtime mechanism (DESIGN.md): commit to PostgreSQL with a per-stream sequence, publish on Redis
 * after commit, subscriptions replay from a cursor then continue live with no gap and no duplicate.
 * Features call `write` to change data and emit events, `signal` for ephemeral state, `subscribe` to serve
 * a subscription. Nothing else in the code base talks to Redis pub/sub.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { Db, Tx } from '../db/client.js';
import { AppError } from '../errors.js';
import { appendEvent, assertStreamName, headSeq, oldestSeq, readEvents, type NewEvent, type StreamEvent } from './events.js';
import { channelOf, CONTROL_CHANNEL, Hub, type ControlMessage, type EphemeralSignal, type HubMessage } from './hub.js';
import { AsyncQueue } from './async-queue.js';
import { Fanout, FEED, type Feed, type FeedSpec } from './fanout.js';

export type { StreamEvent, NewEvent, EphemeralSignal, ControlMessage, Feed, FeedSpec };
export type Emit = <P>(ev: NewEvent<P>) => Promise<StreamEvent<P>>;
/** Queues a cache invalidation, applied everywhere after the commit and before the events go out. */
export type Invalidate = (msg: ControlMessage) => void;

export interface SubscribeOptions {
  /** Resume after this sequence number: everything committed later is replayed first. */
  after?: number | null;
  /** Checked for every event before it is handed over; false ends the subscription with FORBIDDEN. */
  authorize?: (ev: StreamEvent) => boolean | Promise<boolean>;
  /** Also hand over ephemeral signals of the stream. */
  signals?: boolean;
  signal?: AbortSignal;
}

export type Delivery = { kind: 'event'; event: StreamEvent } | { kind: 'signal'; signal: EphemeralSignal };

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
  feed<T>(spec: FeedSpec<T>): Feed<T> {
    const self = this;
    return {
      [FEED]: spec,
      async *[Symbol.asyncIterator]() {
        for await (const d of self.subscribe(spec.stream, { after: spec.after, signals: spec.signals, authorize: () => spec.authorizeNow() ?? spec.authorize(), signal: spec.signal })) {
          // Signals are checked like events.
          if (d.kind === 'signal' && !(spec.authorizeNow() ?? (await spec.authorize()))) throw forbidden();
          const root = spec.map(d);
          if (root !== null) yield root;
        }
      },
    };
  }

  /**
   * Runs `fn` in one transaction; events it emits get their sequence numbers inside it and are published
   * only after the commit. Returns what `fn` returns.
   */
  /** The write in progress on this async path: a write inside a write joins it (one transaction, one commit). */
  private readonly currentWrite = new AsyncLocalStorage<{ tx: Tx; emit: Emit; invalidate: Invalidate }>();

  async write<T>(fn: (tx: Tx, emit: Emit, invalidate: Invalidate) => Promise<T>): Promise<T> {
    const outer = this.currentWrite.getStore();
    if (outer) return fn(outer.tx, outer.emit, outer.invalidate);
    const emitted: StreamEvent[] = [];
    const controls: ControlMessage[] = [];
    const result = await this.db.transaction(async (tx) => {
      const emit: Emit = async (ev) => {
        const saved = await appendEvent(tx, ev);
        emitted.push(saved);
        return saved;
      };
      const invalidate: Invalidate = (m) => void controls.push(m);
      return this.currentWrite.run({ tx, emit, invalidate }, () => fn(tx, emit, invalidate));
    });
    // Invalidations first, locally at once and to other instances on the same connection as the events,
    // so that no instance authorizes an event of this write against what the write changed.
    for (const m of controls) {
      this.hub.applyControl(m);
      this.pub.publish(CONTROL_CHANNEL, JSON.stringify(m)).catch((err: unknown) => this.log.error({ err, m }, 'realtime: control message not published'));
    }
    for (const ev of emitted) this.publish(ev);
    return result;
  }

  /** Publishes a committed event. A failure loses nothing: subscribers fill holes from the database. */
  private publish(ev: StreamEvent): void {
    this.hub.deliverLocal(ev);
    const msg: HubMessage = { kind: 'event', event: ev };
    this.pub.publish(channelOf(ev.stream), JSON.stringify(msg)).catch((err: unknown) => {
      this.log.warn({ err, stream: ev.stream, seq: ev.seq }, 'realtime: publish failed; other instances will read it on their next event');
    });
  }

  /** An ephemeral signal (typing, presence, cursor): not stored, expires after ttlMs unless re-sent. */
  async signal<P>(stream: string, type: string, payload: P, ttlMs: number): Promise<void> {
    assertStreamName(stream);
    const msg: HubMessage = { kind: 'signal', signal: { stream, type, payload, expiresAt: Date.now() + ttlMs } };
    await this.pub.publish(channelOf(stream), JSON.stringify(msg));
  }

  /** Several signals in one round trip to Redis (a burst: many tabs leaving at once). */
  async signalMany(list: readonly { stream: string; type: string; payload: unknown; ttlMs: number }[]): Promise<void> {
    if (list.length === 0) return;
    const pipe = this.pub.pipeline();
    const now = Date.now();
    for (const s of list) {
      assertStreamName(s.stream);
      const msg: HubMessage = { kind: 'signal', signal: { stream: s.stream, type: s.type, payload: s.payload, expiresAt: now + s.ttlMs } };
      pipe.publish(channelOf(s.stream), JSON.stringify(msg));
    }
    await pipe.exec();
  }

  /**
   * Replays what was committed after `opts.after`, then continues live. Events arrive once each, in
   * sequence order. Ends when `opts.signal` aborts or the consumer returns.
   */
  async *subscribe(stream: string, opts: SubscribeOptions = {}): AsyncGenerator<Delivery> {
    assertStreamName(stream);
    const queue = new AsyncQueue<HubMessage>();
    const onAbort = () => queue.end();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
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
            if (opts.authorize && !(await opts.authorize(ev))) throw forbidden();
            last = ev.seq;
            yield { kind: 'event', event: ev };
          }
          if (page.length < REPLAY_PAGE) break;
        }
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
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  async checkCursor(stream: string, after: number, head: number): Promise<void> {
    if (!Number.isSafeInteger(after) || after < 0) throw new AppError('BAD_CURSOR', 'The cursor is not valid.');
    if (after > Math.max(head, await headSeq(this.db, stream))) {
      throw new AppError('BAD_CURSOR', 'The cursor is ahead of this stream: it does not belong to it.');
    }
    const oldest = await oldestSeq(this.db, stream);
    if (after > 0 && oldest !== null && oldest > after + 1) {
      throw new AppError('CURSOR_EXPIRED', 'Events after this cursor are no longer kept: reload and subscribe without a cursor.');
    }
  }

  close(): void {
    this.hub.close();
  }
}

const forbidden = () => new AppError('FORBIDDEN', 'You no longer have access to this stream.');
