/**
 * One hub per API instance. It listens to Redis for the streams that have local subscribers and hands each
 * event, in sequence order and without holes, to every local listener of that stream. An event that arrives
 * ahead of its predecessors (two writers publishing out of order, a message lost while Redis reconnected)
 * triggers one database read for the missing range, per instance, not per subscriber.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { Db } from '../db/client.js';
import { headSeq, readEvents, type EphemeralSignal, type StreamEvent } from './events.js';

export type { EphemeralSignal };

export type HubMessage = { kind: 'event'; event: StreamEvent } | { kind: 'signal'; signal: EphemeralSignal };
export type Listener = (msg: HubMessage) => void;

const CHANNEL_PREFIX = 'rt:';
/** Instance-wide control messages (cache invalidation), heard by every instance. */
export const CONTROL_CHANNEL = 'rt-control';
export type ControlMessage =
  | { t: 'membership'; courseId: string; userId: string }
  | { t: 'apiKey'; keyId: string }
  | { t: 'room'; roomId: string }
  | { t: 'roomMember'; roomId: string; userId: string };
export const channelOf = (stream: string) => CHANNEL_PREFIX + stream;
const FILL_PAGE = 500;

class StreamState {
  listeners = new Set<Listener>();
  /** Highest seq handed to listeners; null until the subscription to Redis is confirmed. */
  lastSeq: number | null = null;
  pending = new Map<number, StreamEvent>();
  filling = false;
  ready: Promise<void>;
  constructor(start: () => Promise<void>) {
    this.ready = start();
  }
}

export class Hub {
  private streams = new Map<string, StreamState>();
  private closed = false;
  private controlHandlers = new Set<(m: ControlMessage | { t: 'reset' }) => void>();

  constructor(
    private readonly db: Db,
    private readonly sub: Redis,
    private readonly log: Logger,
  ) {
    sub.on('messageBuffer', (channel: Buffer, message: Buffer) => this.onRedisMessage(channel.toString(), message));
    // After a reconnect ioredis re-subscribes; whatever was published meanwhile is read from the database.
    sub.on('ready', () => {
      // Invalidations may have been missed while disconnected: caches start over.
      for (const h of this.controlHandlers) h({ t: 'reset' });
      for (const [stream, st] of this.streams) if (st.lastSeq !== null) void this.fill(stream, st);
    });
  }

  /** Subscribes this instance to the control channel; call once at start. */
  async start(): Promise<void> {
    await this.sub.subscribe(CONTROL_CHANNEL);
  }

  /** Applies a control message on this instance (it arrives again through Redis; handlers are idempotent). */
  applyControl(m: ControlMessage): void {
    for (const h of this.controlHandlers) h(m);
  }

  onControl(handler: (m: ControlMessage | { t: 'reset' }) => void): () => void {
    this.controlHandlers.add(handler);
    return () => this.controlHandlers.delete(handler);
  }

  /** Number of streams with at least one local listener (a gauge for /metrics). */
  get streamCount(): number {
    return this.streams.size;
  }

  /**
   * Registers a listener. Resolves once the hub is live for the stream, with the seq from which the hub
   * guarantees gapless delivery: every event with a greater seq reaches the listener, in order, once.
   */
  async listen(stream: string, listener: Listener): Promise<{ fromSeq: number; stop: () => void }> {
    if (this.closed) throw new Error('hub closed');
    let st = this.streams.get(stream);
    if (!st) {
      const state = new StreamState(async () => {
        await this.sub.subscribe(channelOf(stream));
        // Subscribed first, head read second: nothing committed after the head read can be missed.
        const head = await headSeq(this.db, stream);
        state.lastSeq = head;
        for (const seq of [...state.pending.keys()]) if (seq <= head) state.pending.delete(seq);
        this.flush(state);
      });
      st = state;
      this.streams.set(stream, st);
      st.ready.catch(() => {
        if (this.streams.get(stream) === state && state.listeners.size === 0) this.streams.delete(stream);
      });
    }
    st.listeners.add(listener);
    try {
      await st.ready;
    } catch (err) {
      st.listeners.delete(listener);
      throw err;
    }
    const state = st;
    return {
      fromSeq: state.lastSeq!,
      stop: () => {
        state.listeners.delete(listener);
        if (state.listeners.size === 0 && this.streams.get(stream) === state) {
          this.streams.delete(stream);
          this.sub.unsubscribe(channelOf(stream)).catch(() => {});
        }
      },
    };
  }

  /** Delivers an event committed by this instance at once, without waiting for the Redis round trip. */
  deliverLocal(event: StreamEvent): void {
    const st = this.streams.get(event.stream);
    if (st) this.accept(event.stream, st, event);
  }

  private onRedisMessage(channel: string, raw: Buffer): void {
    if (channel === CONTROL_CHANNEL) {
      try {
        const m = JSON.parse(raw.toString('utf8')) as ControlMessage;
        for (const h of this.controlHandlers) h(m);
      } catch {
        this.log.warn('realtime: unparsable control message dropped');
      }
      return;
    }
    if (!channel.startsWith(CHANNEL_PREFIX)) return;
    const stream = channel.slice(CHANNEL_PREFIX.length);
    const st = this.streams.get(stream);
    if (!st) return;
    let msg: HubMessage;
    try {
      msg = JSON.parse(raw.toString('utf8')) as HubMessage;
    } catch {
      this.log.warn({ channel }, 'realtime: unparsable message dropped');
      return;
    }
    if (msg.kind === 'signal') {
      if (msg.signal.expiresAt > Date.now()) for (const l of st.listeners) l(msg);
      return;
    }
    this.accept(stream, st, msg.event);
  }

  private accept(stream: string, st: StreamState, ev: StreamEvent): void {
    if (st.lastSeq === null) {
      st.pending.set(ev.seq, ev);
      return;
    }
    if (ev.seq <= st.lastSeq) return; // already delivered
    st.pending.set(ev.seq, ev);
    this.flush(st);
    if (st.pending.size > 0) void this.fill(stream, st);
  }

  /** Hands over every pending event that continues the sequence. */
  private flush(st: StreamState): void {
    if (st.lastSeq === null) return;
    for (;;) {
      const next = st.pending.get(st.lastSeq + 1);
      if (!next) break;
      st.pending.delete(next.seq);
      st.lastSeq = next.seq;
      const msg: HubMessage = { kind: 'event', event: next };
      for (const l of st.listeners) l(msg);
    }
  }

  /** Reads the events missing between lastSeq and what arrived, once for all local listeners. */
  private async fill(stream: string, st: StreamState): Promise<void> {
    if (st.filling || st.lastSeq === null) return;
    st.filling = true;
    try {
      for (;;) {
        const from = st.lastSeq;
        const page = await readEvents(this.db, stream, from, FILL_PAGE);
        for (const ev of page) if (ev.seq > st.lastSeq) st.pending.set(ev.seq, ev);
        this.flush(st);
        if (page.length < FILL_PAGE) break;
      }
      // Commit-before-publish means the database holds everything up to any pending event, so what is left
      // here was already handed over.
      for (const seq of st.pending.keys()) if (seq <= st.lastSeq) st.pending.delete(seq);
    } catch (err) {
      this.log.error({ err, stream }, 'realtime: gap fill failed; retrying on the next event');
    } finally {
      st.filling = false;
    }
  }

  close(): void {
    this.closed = true;
    this.streams.clear();
  }
}
