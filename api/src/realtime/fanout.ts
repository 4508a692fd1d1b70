/**
 * Feeds and fan-out groups: how one event reaches many subscribers for the cost of one.
 *
 * A subscription field whose payload is the same for every reader (a room's events: the message snapshot is in
 * the event) returns a `Feed` from its subscribe resolver instead of a generator. A feed is still an async
 * iterable (Yoga's SSE transport and any plain GraphQL executor iterate it, one subscriber at a time), but a
 * transport that knows feeds (the WebSocket transport) hands it to `Fanout.join` instead:
 *
 * - Subscribers of one stream with the same operation, the same variables (but for the field's own arguments,
 *   which only choose the stream and the cursor) share a group. The group holds ONE hub listener, maps each
 *   delivery to the field's root value once, and renders it once (GraphQL execution and JSON): every member
 *   gets the same payload bytes.
 * - Authorization stays per subscriber and per event, as in `Realtime.subscribe`: each member's check runs
 *   from the access caches without a promise (`authorizeNow`); only a cache miss takes the async path, and
 *   that member's later events wait behind it, so its order is kept. A refusal ends that member alone.
 * - A member with a cursor replays from the database first (rendered for it alone), while live events for it
 *   are held; then it joins the live tail with no gap and no duplicate.
 *
 * Rendering must not depend on who reads: it runs with no viewer at all, so a field that needs one fails
 * loudly instead of leaking one reader's view to others.
 */
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { AppError } from '../errors.js';
import { isDurableStream, readEvents, type EventShape, type Stream } from './events.js';
import type { Hub, HubMessage } from './hub.js';
import type { Delivery } from './realtime.js';
import { onAbort } from '../abort.js';

export const FEED = Symbol.for('course-companion.feed');

export interface FeedSpec<T = unknown, E extends EventShape = EventShape, S extends EventShape = EventShape> {
  stream: Stream<E, S>;
  /**
   * What else, besides the stream and the operation, decides the payloads (a filter taken from the field's own
   * arguments, which the operation key leaves out: tutorUsage's course on the user's stream). Subscribers with
   * different variants never share a group.
   */
  variant?: string;
  /** Resume after this sequence number (replay first); null: from now on. */
  after: number | null;
  /** Also deliver the stream's ephemeral signals. */
  signals: boolean;
  /** A root value sent to this subscriber alone before anything else (a snapshot to start from). */
  initial?: T;
  /** The subscriber's right to read, from caches only: undefined when it cannot tell without a read. */
  authorizeNow: () => boolean | undefined;
  /** The same right, reading what it must. */
  authorize: () => Promise<boolean>;
  /**
   * The root value of the field for one delivery (null: nothing to send). Must not depend on the subscriber.
   * (A method, so that a spec typed by its stream's events is a FeedSpec of any events.)
   */
  map(d: Delivery<E, S>): T | null;
  /** Aborts the subscription (the client completed it or went away). */
  signal?: AbortSignal | undefined;
  /** Called once when this subscriber's subscription ends, however it ends (presence: the tab leaves). */
  onEnd?: () => void;
}

/** What a feed field's subscribe resolver returns. Iterating it serves one subscriber on its own. */
export interface Feed<T = unknown> extends AsyncIterable<T> {
  readonly [FEED]: FeedSpec<T>;
}

export function isFeed(value: unknown): value is Feed {
  return typeof value === 'object' && value !== null && FEED in value;
}

/** Renders a root value into the JSON of a `next` payload; called once per event per group. */
export type Render = (root: unknown) => string;

/** Where a member's payloads go: `send` gets the group's JSON; `end` closes the subscription (with an error or not). */
export interface MemberSink {
  send(payloadJson: string): void;
  end(err?: Error): void;
}

const REPLAY_PAGE = 500;
const forbidden = () => new AppError('FORBIDDEN', 'You no longer have access to this stream.');
/** A cursor whose following events are no longer kept (retention, or a durable stream's compaction). */
export const cursorExpired = () =>
  new AppError('CURSOR_EXPIRED', 'Events after this cursor are no longer kept: reload and subscribe without a cursor.');

class Member {
  /** Highest event seq handed over (or skipped as not for the field). */
  last = 0;
  live = false;
  ended = false;
  /** Counted in `members` (from the moment the hub is live for it). */
  counted = false;
  /** Live messages held while the member replays. */
  held: HubMessage[] = [];
  /** An authorization read in progress: this member's next deliveries wait for it. */
  chain: Promise<void> | null = null;
  constructor(
    readonly spec: FeedSpec,
    readonly sink: MemberSink,
  ) {}
}

class Group {
  readonly members = new Set<Member>();
  /** Highest seq the group has seen; null until the hub is live for the stream. */
  lastSeq: number | null = null;
  early: HubMessage[] = [];
  ready!: Promise<void>;
  stop: (() => void) | null = null;
  constructor(
    readonly key: string,
    readonly stream: string,
    readonly map: FeedSpec['map'],
    readonly render: Render,
  ) {}
}

export class Fanout {
  private groups = new Map<string, Group>();
  private memberCount = 0;
  /** Payloads rendered (once per event per group) and sent (once per member), since start. */
  renders = 0;
  deliveries = 0;

  constructor(
    private readonly db: Db,
    private readonly hub: Hub,
    private readonly log: Logger,
    private readonly checkCursor: (stream: string, after: number, head: number) => Promise<void>,
  ) {}

  /** Subscribers served by groups. */
  get members(): number {
    return this.memberCount;
  }

  get groupCount(): number {
    return this.groups.size;
  }

  /**
   * Adds a subscriber to the group of `key` (made on first use, with `render` as its renderer). Resolves once it
   * is live, after its replay; rejects (having sent nothing) when the cursor is refused. It leaves the group when
   * its spec's signal aborts or when it is ended.
   */
  async join(key: string, spec: FeedSpec, render: Render, to: MemberSink): Promise<void> {
    if (spec.variant !== undefined) key = `${key}\n${spec.variant}`;
    const sink: MemberSink = {
      send: (payload) => {
        this.deliveries++;
        to.send(payload);
      },
      end: (err) => to.end(err),
    };
    let group = this.groups.get(key);
    if (!group) {
      const g = new Group(key, spec.stream, spec.map, (root) => {
        this.renders++;
        return render(root);
      });
      g.ready = this.hub
        .listen(spec.stream, (m) => this.onMessage(g, m))
        .then(
          ({ fromSeq, stop }) => {
            g.stop = stop;
            g.lastSeq = fromSeq;
            const early = g.early;
            g.early = [];
            for (const m of early) this.onMessage(g, m);
          },
          (err: unknown) => {
            if (this.groups.get(key) === g) this.groups.delete(key);
            throw err;
          },
        );
      this.groups.set(key, g);
      group = g;
    }
    const member = new Member(spec, sink);
    group.members.add(member);
    const leave = () => this.leave(group, member);
    onAbort(spec.signal, leave);
    try {
      await group.ready;
      if (member.ended) return;
      member.counted = true;
      this.memberCount++;
      if (spec.initial !== undefined) {
        const first = group.render(spec.initial);
        member.sink.send(first);
      }
      if (spec.after === null) {
        member.last = group.lastSeq!;
        member.live = true;
        return;
      }
      const head = group.lastSeq!;
      await this.checkCursor(spec.stream, spec.after, head);
      member.last = spec.after;
      await this.replay(group, member, head);
    } catch (err) {
      leave();
      throw err;
    }
  }

  /** Replays the member's stream after its cursor; `head` was committed before it started (the replay reaches it). */
  private async replay(group: Group, member: Member, head: number): Promise<void> {
    for (;;) {
      const page = await readEvents(this.db, group.stream, member.last, REPLAY_PAGE);
      for (const ev of page) {
        if (member.ended) return;
        // A durable stream truncated (compacted) after the cursor was checked: what followed it is gone.
        if (ev.seq !== member.last + 1 && isDurableStream(group.stream)) return this.end(group, member, cursorExpired());
        if (!(await member.spec.authorize())) return this.end(group, member, forbidden());
        member.last = ev.seq;
        const root = group.map({ kind: 'event', event: ev });
        if (root !== null) member.sink.send(group.render(root));
      }
      if (page.length < REPLAY_PAGE) break;
    }
    if (member.ended) return;
    // Falling short of the head committed before the replay: a durable stream truncated meanwhile.
    if (member.last < head && isDurableStream(group.stream)) return this.end(group, member, cursorExpired());
    // Live from here: what arrived meanwhile goes first, in order; nothing awaits in between.
    const held = member.held;
    member.held = [];
    member.live = true;
    for (const m of held) this.deliverTo(group, member, m, null);
  }

  /** One hub message for the whole group: mapped and rendered once, then handed to each member. */
  private onMessage(group: Group, m: HubMessage): void {
    if (group.lastSeq === null) {
      group.early.push(m);
      return;
    }
    if (m.kind === 'event') {
      if (m.event.seq <= group.lastSeq) return;
      group.lastSeq = m.event.seq;
    } else if (m.signal.expiresAt <= Date.now()) return;
    let rendered: string | null | undefined; // undefined: not rendered yet (a group of waiting members renders nothing)
    const json = () => (rendered === undefined ? (rendered = this.render(group, m)) : rendered);
    for (const member of group.members) {
      if (!member.live) {
        if (!member.ended) member.held.push(m);
        continue;
      }
      this.deliverTo(group, member, m, json);
    }
  }

  /** Checks the member's right for this message, then sends it; keeps the member's order when a check waits. */
  private deliverTo(group: Group, member: Member, m: HubMessage, json: (() => string | null) | null): void {
    if (member.ended) return;
    if (m.kind === 'event') {
      if (m.event.seq <= member.last) return; // replayed already
      member.last = m.event.seq;
    } else if (!member.spec.signals) return;
    const render = json ?? (() => this.render(group, m));
    if (member.chain) {
      const payload = render();
      member.chain = member.chain.then(() => this.checked(group, member, payload));
      return;
    }
    const ok = member.spec.authorizeNow();
    if (ok === true) {
      const payload = render();
      if (payload !== null) member.sink.send(payload);
      return;
    }
    if (ok === false) return this.end(group, member, forbidden());
    const payload = render();
    const chain: Promise<void> = this.checked(group, member, payload).finally(() => {
      if (member.chain === chain) member.chain = null;
    });
    member.chain = chain;
  }

  private async checked(group: Group, member: Member, payload: string | null): Promise<void> {
    if (member.ended) return;
    let ok: boolean;
    try {
      ok = await member.spec.authorize();
    } catch (err) {
      this.log.warn({ err, stream: group.stream }, 'fanout: authorization failed');
      ok = false;
    }
    if (member.ended) return;
    if (!ok) return this.end(group, member, forbidden());
    if (payload !== null) member.sink.send(payload);
  }

  /** The payload of one hub message for the group's operation; null when the field has nothing to send for it. */
  private render(group: Group, m: HubMessage): string | null {
    const root = group.map(m.kind === 'event' ? { kind: 'event', event: m.event } : { kind: 'signal', signal: m.signal });
    return root === null ? null : group.render(root);
  }

  private end(group: Group, member: Member, err?: Error): void {
    if (member.ended) return;
    this.leave(group, member);
    member.sink.end(err);
  }

  private leave(group: Group, member: Member): void {
    if (member.ended) return;
    member.ended = true;
    member.held = [];
    group.members.delete(member);
    if (member.counted) this.memberCount--;
    try {
      member.spec.onEnd?.();
    } catch (err) {
      this.log.warn({ err, stream: group.stream }, 'fanout: onEnd failed');
    }
    if (group.members.size === 0 && this.groups.get(group.key) === group) {
      this.groups.delete(group.key);
      group.stop?.();
      // A group still starting stops once it is live.
      if (!group.stop)
        void group.ready.then(
          () => group.stop?.(),
          () => {},
        );
    }
  }
}
