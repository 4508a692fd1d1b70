/**
 * Read marking that costs the server a small constant per reader, whatever the message rate: the messages seen
 * are coalesced into at most one mark per interval, carrying only the newest seq, and only when it is past what
 * the server already holds. A mark goes after a random spread (a quarter of the interval at most), and no sooner
 * than an interval after the previous one: every reader of a room sees a message at the same moment, and their
 * marks must not all reach the server in the same instant. `flush` sends what waits now (leaving the room, hiding
 * the tab, a message that notified the reader). Pure: the clock and the random source are injected.
 */
import type { RoomKind } from '../gql/graphql';
import { compareSeq } from './timeline';

/** Where others see read receipts (direct, group and tutor rooms): at most one markRoomRead per this long. */
export const RECEIPT_MARK_INTERVAL_MS = 4000;
/**
 * Course and live rooms, with no receipts and up to hundreds of readers: the marker only feeds the reader's own
 * unread counts (other tabs, the next visit), which a flush on hiding the tab or leaving the room keeps exact, so a
 * mark per reader costs the server less than the messages it reads (benchmarks.md, "reads").
 */
export const BROADCAST_MARK_INTERVAL_MS = 15_000;

export const markIntervalFor = (kind: RoomKind): number =>
  kind === 'COURSE' || kind === 'LIVE' ? BROADCAST_MARK_INTERVAL_MS : RECEIPT_MARK_INTERVAL_MS;

export interface MarkClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: MarkClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface ReadMarkerOptions {
  /** The marker the server holds (the room's lastReadSeq when it was loaded; '0' for none). */
  known: string;
  /** Sends a mark; resolves with the server's marker. A rejection leaves the seq to be sent with the next mark. */
  send: (seq: string) => Promise<string>;
  /** Told the server's marker after each mark it took. */
  onMarked?: (marker: string) => void;
  /** At most one mark per this long (markIntervalFor the room). */
  intervalMs: number;
  /** The longest random delay of a mark (a quarter of the interval by default). */
  spreadMs?: number;
  clock?: MarkClock;
  random?: () => number;
}

export interface ReadMarker {
  /** Everything up to `seq` was seen. */
  mark(seq: string): void;
  /** The server moved the marker itself (the reader posted: their message reads the room up to it). */
  serverHas(seq: string): void;
  /** Sends what waits now (or `afterMs` from now), interval or not; after the mark in flight if there is one. */
  flush(afterMs?: number): void;
  /** Sends what waits, then stops. */
  dispose(): void;
}

const max = (a: string, b: string | null) => (b !== null && compareSeq(b, a) > 0 ? b : a);

export function createReadMarker(options: ReadMarkerOptions): ReadMarker {
  const { send, onMarked, intervalMs, spreadMs = intervalMs / 4, clock = realClock, random = Math.random } = options;
  /** The highest marker the server is known to hold. */
  let known = options.known;
  /** Seen and not sent yet. */
  let waiting: string | null = null;
  /** Sent and not answered yet (one at a time). */
  let inFlight: string | null = null;
  let lastSentAt = -Infinity;
  let timer: unknown = null;
  let flushTimer: unknown = null;
  /** A flush was asked: what waits goes as soon as nothing is in flight, interval or not. */
  let urgent = false;
  let disposed = false;

  function schedule(): void {
    if (waiting === null || inFlight !== null) return;
    if (urgent) return sendNow();
    if (timer !== null || disposed) return;
    const wait = Math.max(0, lastSentAt + intervalMs - clock.now()) + Math.floor(random() * spreadMs);
    if (wait <= 0) sendNow();
    else timer = clock.setTimeout(() => ((timer = null), sendNow()), wait);
  }

  function sendNow(): void {
    if (timer !== null) clock.clearTimeout(timer);
    timer = null;
    urgent = false;
    if (inFlight !== null) return;
    const seq = waiting;
    waiting = null;
    if (seq === null || compareSeq(seq, known) <= 0) return;
    inFlight = seq;
    lastSentAt = clock.now();
    send(seq).then(
      (marker) => {
        inFlight = null;
        known = max(max(known, seq), marker);
        onMarked?.(marker);
        schedule();
      },
      () => {
        // Not taken: the next mark (a new message, a scroll) carries it again.
        inFlight = null;
        schedule();
      },
    );
  }

  function flushNow(): void {
    if (waiting === null) return;
    urgent = true;
    schedule();
  }

  return {
    mark(seq) {
      if (compareSeq(seq, max(max(known, inFlight), waiting)) <= 0) return;
      waiting = seq;
      schedule();
    },
    serverHas(seq) {
      known = max(known, seq);
      if (waiting !== null && compareSeq(waiting, known) <= 0) {
        waiting = null;
        urgent = false;
      }
    },
    flush(afterMs = 0) {
      if (flushTimer !== null) clock.clearTimeout(flushTimer);
      flushTimer = null;
      if (afterMs > 0) {
        flushTimer = clock.setTimeout(() => ((flushTimer = null), flushNow()), afterMs);
        return;
      }
      flushNow();
    },
    dispose() {
      this.flush();
      disposed = true;
      if (timer !== null) clock.clearTimeout(timer);
      timer = null;
    },
  };
}
