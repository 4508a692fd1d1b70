/**
 * A person editing a collab document in the bench, doing what the web's CollabProvider does: load the document
 * (`collabDocument`: state + cursor), follow it over its own graphql-ws connection (`collabDocumentEvents` from the
 * cursor), apply what others send, and send its own edits with `applyCollabUpdate` over HTTP, one mutation in flight
 * at a time: edits made meanwhile are merged (`Y.mergeUpdates`) and sent next; on OUT_OF_SYNC the whole state goes
 * instead; a failed send is kept and retried.
 *
 * It types one character at a time at a random place of its own area of the text: the text between its marker
 * (`#07|`, say) and the end of that line. Typed characters are letters and spaces, so a marker never forms by typing.
 * Only its editor types in an area, so the area holds exactly what it typed, and the area starts where it started
 * plus what the editors of the lines above typed (as this editor has seen it: one clock of theirs, one character).
 * That costs nothing per keystroke; building the text to search for the marker (300 times a second) was most of the
 * load process's CPU, and a Yjs relative position still walks every item before it (kept as a check every
 * CHECK_EVERY edits).
 */
import type { Client } from 'graphql-ws';
import * as Y from 'yjs';
import { wallNow } from '../fanout/common.js';
import { ws, type Call } from '../fanout/graphql.js';
import { Replica, type Arrivals, type EditClock } from './replica.js';

export const DOCUMENT = `query($id: ID!) { collabDocument(id: $id) { id state cursor text } }`;
const APPLY = `mutation($documentId: ID!, $update: String!, $clientTag: String) {
  applyCollabUpdate(documentId: $documentId, update: $update, clientTag: $clientTag) { stored cursor }
}`;
export const DOCUMENT_EVENTS = `subscription($documentId: ID!, $after: String) {
  collabDocumentEvents(documentId: $documentId, after: $after) {
    __typename
    ... on CollabUpdateEvent { cursor update clientTag }
  }
}`;

const LETTERS = 'abcdefghijklmnopqrstuvwxyz    ';
const RETRY_MS = 200;
const CHECK_EVERY = 64;

export interface DocumentEvent {
  __typename: string;
  cursor?: string;
  update?: string;
  clientTag?: string | null;
}

/** What every editor's sends add up to. */
export class SendStats {
  mutations = 0;
  stored = 0;
  /** Characters carried per mutation (edits merged while the previous one was in flight). */
  readonly editsPerMutation: number[] = [];
  readonly roundTripMs: number[] = [];
  bytes = 0;
  readonly errors = new Map<string, number>();
  outOfSync = 0;

  error(code: string, n = 1): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + n);
  }

  /** Adds another process's figures (a SendStats as it crossed IPC: its fields, no methods). */
  add(o: Pick<SendStats, 'mutations' | 'stored' | 'editsPerMutation' | 'roundTripMs' | 'bytes' | 'errors' | 'outOfSync'>): void {
    this.mutations += o.mutations;
    this.stored += o.stored;
    this.editsPerMutation.push(...o.editsPerMutation);
    this.roundTripMs.push(...o.roundTripMs);
    this.bytes += o.bytes;
    for (const [code, n] of o.errors) this.error(code, n);
    this.outOfSync += o.outOfSync;
  }
}

/** The area of the editor whose marker is `marker` as the text `s` holds it: the rest of the marker's line. */
export function areaIn(s: string, marker: string): string {
  const start = s.indexOf(marker);
  if (start < 0) return '';
  const end = s.indexOf('\n', start);
  return s.slice(start + marker.length, end < 0 ? s.length : end);
}

/**
 * Follows a document on `client`: replays after `after`, then live. Calls `onUpdate` with each update's bytes, its
 * arrival time and its client tag; `onError` when the subscription fails or ends.
 */
export function follow(
  client: Client,
  documentId: string,
  after: string,
  onUpdate: (update: Uint8Array, at: number, clientTag: string | null) => void,
  onError: (what: string) => void,
): () => void {
  return client.subscribe<{ collabDocumentEvents: DocumentEvent }>(
    { query: DOCUMENT_EVENTS, variables: { documentId, after } },
    {
      next: (r) => {
        const at = wallNow();
        const e = r.data?.collabDocumentEvents;
        if (r.errors) onError(`${documentId}: ${JSON.stringify(r.errors)}`);
        if (e?.__typename === 'CollabUpdateEvent' && e.update) onUpdate(Buffer.from(e.update, 'base64'), at, e.clientTag ?? null);
      },
      error: (err) => onError(`${documentId}: ${err instanceof Error ? err.message : JSON.stringify(err)}`),
      complete: () => onError(`${documentId}: subscription completed`),
    },
  );
}

export class Editor {
  readonly replica: Replica;
  readonly clientTag: string;
  /** Characters typed. */
  typed = 0;
  private pending: Uint8Array[] = [];
  /** Edits in `pending` (characters), and in the mutation in flight. */
  private pendingEdits = 0;
  private inFlight = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private socket: Client | null = null;
  private unsubscribe: (() => void) | null = null;
  /** Just after the marker's last character (associated to its left: what is typed after it does not move it). */
  private areaStart: Y.RelativePosition | null = null;
  /** Where the area started when the document was loaded. */
  private areaIndex = 0;
  /** The Yjs client ids of the editors of the lines above this one (set by the scenario: their typing moves this
   * area down; they may be in other processes). */
  above: readonly number[] = [];
  connected = false;

  constructor(
    readonly name: string,
    private readonly url: string,
    private readonly token: string,
    readonly documentId: string,
    private readonly marker: string,
    private readonly call: Call,
    arrivals: Arrivals,
    private readonly clock: EditClock,
    private readonly stats: SendStats,
    private readonly onError: (what: string) => void,
  ) {
    this.replica = new Replica(arrivals);
    this.clientTag = `${name}-${this.replica.doc.clientID}`;
    this.replica.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === this.replica) return;
      this.pending.push(update);
      this.flush();
    });
  }

  /** Loads the document and follows it; resolves once its socket is open. */
  async open(): Promise<void> {
    const a = await this.call(this.token, DOCUMENT, { id: this.documentId });
    if (a.errors) throw new Error(`${this.name}: collabDocument: ${JSON.stringify(a.errors)}`);
    const d = a.data!.collabDocument as { state: string; cursor: string };
    this.replica.load(Buffer.from(d.state, 'base64'));
    const at = this.replica.text.toString().indexOf(this.marker);
    if (at < 0) throw new Error(`${this.name}: no ${this.marker} in the document`);
    if (this.areaIn(this.replica.text.toString()) !== '') throw new Error(`${this.name}: its line is not empty`);
    this.areaIndex = at + this.marker.length;
    this.areaStart = Y.createRelativePositionFromTypeIndex(this.replica.text, this.areaIndex, -1);
    let opened!: () => void;
    const open = new Promise<void>((r) => (opened = r));
    this.socket = ws(this.url, this.token, {
      on: {
        connected: () => {
          this.connected = true;
          opened();
        },
        closed: () => (this.connected = false),
      },
    });
    this.unsubscribe = follow(
      this.socket,
      this.documentId,
      d.cursor,
      (update, at, tag) => {
        // Its own updates come back too: the provider skips them (applying them would change nothing).
        if (tag !== this.clientTag) this.replica.receive(update, at);
      },
      (what) => this.onError(`${this.name}: ${what}`),
    );
    await open;
  }

  /** Types one character at a random place of its area. */
  type(): void {
    let start = this.areaIndex;
    for (const client of this.above) start += this.replica.seen(client);
    if (this.typed % CHECK_EVERY === 0) {
      const check = Y.createAbsolutePositionFromRelativePosition(this.areaStart!, this.replica.doc)?.index;
      if (check !== start) throw new Error(`${this.name}: its line starts at ${check}, not ${start}`);
    }
    const at = start + Math.floor(Math.random() * (this.typed + 1));
    this.clock.stamp(this.replica.doc);
    this.typed++;
    this.pendingEdits++;
    this.replica.text.insert(at, LETTERS[Math.floor(Math.random() * LETTERS.length)]!);
  }

  /** Its area as the text `s` holds it (what it typed, once everything arrived). */
  areaIn(s: string): string {
    return areaIn(s, this.marker);
  }

  /** Nothing left to send. */
  get idle(): boolean {
    return !this.inFlight && this.pending.length === 0;
  }

  private flush(): void {
    if (this.inFlight || this.retryTimer || this.pending.length === 0) return;
    const update = this.pending.length === 1 ? this.pending[0]! : Y.mergeUpdates(this.pending);
    const edits = this.pendingEdits;
    this.pending = [];
    this.pendingEdits = 0;
    this.inFlight = true;
    const sentAt = wallNow();
    const s = this.stats;
    s.mutations++;
    s.bytes += update.byteLength;
    const retry = (keep: Uint8Array) => {
      this.pending.unshift(keep);
      this.pendingEdits += edits;
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.flush();
      }, RETRY_MS);
    };
    this.call(this.token, APPLY, { documentId: this.documentId, update: Buffer.from(update).toString('base64'), clientTag: this.clientTag })
      .then((a) => {
        s.roundTripMs.push(wallNow() - sentAt);
        const code = a.errors?.[0]?.extensions?.code ?? a.errors?.[0]?.message;
        if (code === undefined) {
          s.editsPerMutation.push(edits);
          if (a.data?.applyCollabUpdate?.stored) s.stored++;
        } else if (code === 'OUT_OF_SYNC') {
          // The server lacks something this update builds on: send everything (the server's diff trims it).
          s.outOfSync++;
          retry(Y.encodeStateAsUpdate(this.replica.doc));
        } else {
          s.error(code);
          retry(update);
        }
      })
      .catch((err: unknown) => {
        s.error(err instanceof Error ? err.message : String(err));
        retry(update);
      })
      .finally(() => {
        this.inFlight = false;
        this.flush();
      });
  }

  async close(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.unsubscribe?.();
    await this.socket?.dispose();
  }
}
