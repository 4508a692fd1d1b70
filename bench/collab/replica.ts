/**
 * How the collab bench knows when an edit arrived: every edit inserts one character, so it is one Yjs clock of its
 * editor's client. The editor writes down the local time of each of its clocks (EditClock); a replica receiving an
 * update reads which clocks of which clients it carries (Y.parseUpdateMeta: cheap, nothing decoded into structs)
 * and records, for each clock it had not seen yet, the time from the edit to now (Arrivals).
 *
 * A client's clocks reach a replica in order (the server's stream is one total order, and an editor sends its
 * updates one after the other), so a replica keeps per client only the next clock it expects: a clock below it is a
 * repeat (a second delivery of an edit), one above it is a gap (edits skipped: lost on the way).
 */
import * as Y from 'yjs';
import { wallNow } from '../fanout/common.js';

/** The local time of each edit of each editor, by Yjs client id and clock. */
export class EditClock {
  private readonly sentAt = new Map<number, number[]>();

  /** Call just before the local insert of one character: the clock it takes is the client's current state. */
  stamp(doc: Y.Doc): void {
    let times = this.sentAt.get(doc.clientID);
    if (!times) this.sentAt.set(doc.clientID, (times = []));
    times[Y.getState(doc.store, doc.clientID)] = wallNow();
  }

  timeOf(client: number, clock: number): number | undefined {
    return this.sentAt.get(client)?.[clock];
  }

  /** Edits made by `client` (clocks 0 … n-1), or undefined for a client that is not an editor (the server's). */
  editsOf(client: number): number | undefined {
    return this.sentAt.get(client)?.length;
  }

  get clients(): number[] {
    return [...this.sentAt.keys()];
  }
}

/** Edit → arrival times of one scenario, over every replica. */
export class Arrivals {
  /** Milliseconds from an edit to its arrival at one replica. */
  readonly ms: number[] = [];
  /** Edits delivered again to a replica that had them. */
  repeats = 0;
  /** Edits a replica never got although a later edit of the same editor arrived. */
  gaps = 0;
  /** Clocks of an editor with no local time (should not happen: every edit is stamped). */
  unstamped = 0;

  constructor(readonly clock: EditClock) {}
}

/** One receiving copy of a document: a Y.Doc, and per client the next clock it expects. */
export class Replica {
  readonly doc = new Y.Doc();
  readonly text = this.doc.getText('code');
  private readonly next = new Map<number, number>();

  constructor(private readonly arrivals: Arrivals) {}

  /** The loaded state (collabDocument): clocks in it are known, not arrivals. */
  load(state: Uint8Array): void {
    Y.applyUpdate(this.doc, state, this);
    for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVectorFromUpdate(state))) this.next.set(client, clock);
  }

  /** An update that came over the subscription at `at`: records the editors' clocks it brings, then applies it. */
  receive(update: Uint8Array, at: number): void {
    const { from, to } = Y.parseUpdateMeta(update);
    const a = this.arrivals;
    for (const [client, first] of from) {
      const end = to.get(client) ?? first;
      if (a.clock.editsOf(client) === undefined) continue;
      const expected = this.next.get(client) ?? 0;
      if (first < expected) a.repeats += Math.min(end, expected) - first;
      if (first > expected) a.gaps += first - expected;
      for (let k = Math.max(first, expected); k < end; k++) {
        const sent = a.clock.timeOf(client, k);
        if (sent === undefined) a.unstamped++;
        else a.ms.push(at - sent);
      }
      if (end > expected) this.next.set(client, end);
    }
    Y.applyUpdate(this.doc, update, this);
  }

  /** Edits of `client` this replica has seen (clocks 0 … n-1). */
  seen(client: number): number {
    return this.next.get(client) ?? 0;
  }
}
