/**
 * How the collab bench knows when an edit arrived: every edit inserts one character, so it is one Yjs clock of its
 * editor's client. The editor writes down the local time of each of its clocks (EditClock); a replica receiving an
 * update reads which clocks of which clients it carries (Y.parseUpdateMeta: cheap, nothing decoded into structs)
 * and records, for each clock it had not seen yet, its arrival time (Arrivals). The edit → arrival times are worked
 * out at the end (arrivalTimes), so the editors and their replicas may be in several processes: times are
 * `performance.timeOrigin + performance.now()`, one clock for every process of the machine.
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

  /** Every client's edit times (to send to the process that merges them). */
  get times(): ReadonlyMap<number, number[]> {
    return this.sentAt;
  }

  /** Adds the edit times of another process's editors. */
  merge(times: ReadonlyMap<number, number[]>): void {
    for (const [client, t] of times) this.sentAt.set(client, t);
  }
}

/** What the replicas of one process received: each new clock of an editor with its arrival time, repeats and gaps. */
export class Arrivals {
  /** One arrival per index: the editor's client id, the clock, the local time it arrived. */
  readonly clients: number[] = [];
  readonly clocks: number[] = [];
  readonly ats: number[] = [];
  /** Edits delivered again to a replica that had them. */
  repeats = 0;
  /** Edits a replica never got although a later edit of the same editor arrived. */
  gaps = 0;

  /** `isEditor`: the clients whose clocks are edits (not the server's, whose text was loaded). */
  constructor(readonly isEditor: (client: number) => boolean) {}
}

/** The data of an Arrivals, as it crosses from a child process. */
export type ArrivalLog = Pick<Arrivals, 'clients' | 'clocks' | 'ats' | 'repeats' | 'gaps'>;

/** Edit → arrival milliseconds of every arrival of `logs`, the edits' times from `clock`. */
export function arrivalTimes(logs: readonly ArrivalLog[], clock: EditClock) {
  const ms: number[] = [];
  let repeats = 0;
  let gaps = 0;
  /** Clocks of an editor with no local time (should not happen: every edit is stamped). */
  let unstamped = 0;
  for (const log of logs) {
    repeats += log.repeats;
    gaps += log.gaps;
    for (let i = 0; i < log.ats.length; i++) {
      const sent = clock.timeOf(log.clients[i]!, log.clocks[i]!);
      if (sent === undefined) unstamped++;
      else ms.push(log.ats[i]! - sent);
    }
  }
  return { ms, repeats, gaps, unstamped };
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

  /** An update that came over the subscription at `at`: records the editors' new clocks it brings, then applies it. */
  receive(update: Uint8Array, at: number): void {
    const { from, to } = Y.parseUpdateMeta(update);
    const a = this.arrivals;
    for (const [client, first] of from) {
      const end = to.get(client) ?? first;
      if (!a.isEditor(client)) continue;
      const expected = this.next.get(client) ?? 0;
      if (first < expected) a.repeats += Math.min(end, expected) - first;
      if (first > expected) a.gaps += first - expected;
      for (let k = Math.max(first, expected); k < end; k++) {
        a.clients.push(client);
        a.clocks.push(k);
        a.ats.push(at);
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
