/**
 * Helpers for the collab document tests: a session with its shared document (written straight through the documents
 * service, so these tests do not depend on the session mutations), members, and `YClient`: a real Y.Doc that talks
 * GraphQL over a WebSocket as the web app's provider does (load, follow from the cursor, one update in flight at a
 * time with what was typed meanwhile merged, OUT_OF_SYNC answered with the whole state, CURSOR_EXPIRED answered by
 * reloading, offline edits kept and sent on reconnect).
 */
import * as Y from 'yjs';
import type { Client } from 'graphql-ws';
import type { Core } from '../src/app.js';
import { collabMembers, collabSessions, type CollabLanguage } from '../src/collab/tables.js';
import type { CollabDocumentRow, CollabSessionRow } from '../src/collab/access.js';
import { subCode, type GqlBody } from './chat.js';
import type { Fixture } from './harness.js';
import { wsClient } from './harness.js';

export const DOC = `query($id: ID!) { collabDocument(id: $id) { id sessionId ownerId state cursor text textLength editedAt startedAt language locked viewerCanEdit viewerCanManage } }`;
export const APPLY = `mutation($documentId: ID!, $update: String!, $clientTag: String) {
  applyCollabUpdate(documentId: $documentId, update: $update, clientTag: $clientTag) { stored cursor } }`;
export const EVENTS = `subscription($documentId: ID!, $after: String) { collabDocumentEvents(documentId: $documentId, after: $after) {
  __typename
  ... on CollabUpdateEvent { cursor at update userId kind clientTag }
  ... on CollabAwarenessEvent { userId name color clientId update } } }`;
export const AWARENESS = `mutation($documentId: ID!, $update: String!) { sendCollabAwareness(documentId: $documentId, update: $update) }`;

export type DocEvent =
  | { __typename: 'CollabUpdateEvent'; cursor: string; at: string; update: string; userId: string; kind: string; clientTag: string | null }
  | { __typename: 'CollabAwarenessEvent'; userId: string; name: string; color: string; clientId: number; update: string };

export const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
export const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

/** A session of the fixture's course (owned by its instructor) with its shared document. */
export async function makeSession(
  core: Core,
  fx: Fixture,
  opts: { startingCode?: string; language?: CollabLanguage; mode?: 'shared' | 'per_student' } = {},
): Promise<{ session: CollabSessionRow; doc: CollabDocumentRow }> {
  const { db } = core.services.database;
  return db.transaction(async (tx) => {
    const [session] = await tx
      .insert(collabSessions)
      .values({
        tenantId: fx.tenant.id,
        courseId: fx.course.id,
        title: 'Pairs',
        language: opts.language ?? 'python',
        startingCode: opts.startingCode ?? '',
        ownerId: fx.instructor.id,
        mode: opts.mode ?? 'shared',
      })
      .returning();
    const doc = await core.services.collabDocuments.createShared(tx, session!);
    return { session: session!, doc };
  });
}

/** Lets people join a session (a `collab_members` row each). */
export async function join(core: Core, fx: Fixture, sessionId: string, ...userIds: string[]): Promise<void> {
  await core.services.database.db
    .insert(collabMembers)
    .values(userIds.map((userId) => ({ sessionId, userId, tenantId: fx.tenant.id })))
    .onConflictDoNothing();
}

/** One GraphQL operation over a graphql-ws client: its single result. */
export function wsRequest(client: Client, query: string, variables: Record<string, unknown>): Promise<GqlBody> {
  return new Promise((resolve) => {
    let result: GqlBody = {};
    client.subscribe(
      { query, variables },
      {
        next: (r) => void (result = r as GqlBody),
        error: (e) => resolve({ errors: (Array.isArray(e) ? e : [e]) as GqlBody['errors'] }),
        complete: () => resolve(result),
      },
    );
  });
}

const REMOTE = Symbol('remote');

export class YClient {
  readonly doc = new Y.Doc();
  readonly text = this.doc.getText('code');
  cursor: string | null = null;
  /** Updates typed here and not yet acknowledged by the server. */
  private pending: Uint8Array[] = [];
  private inFlight = false;
  private stop: (() => void) | null = null;
  online = false;
  readonly errors: string[] = [];
  readonly events: DocEvent[] = [];
  reloads = 0;
  outOfSync = 0;
  readonly ws: ReturnType<typeof wsClient>;

  constructor(
    wsUrl: string,
    token: string,
    readonly documentId: string,
    readonly tag: string,
  ) {
    this.ws = wsClient(wsUrl, token);
    this.doc.on('update', (u: Uint8Array, origin: unknown) => {
      if (origin === REMOTE) return;
      this.pending.push(u);
      void this.flush();
    });
  }

  /** Loads the document (merged into what this client has) and follows it from its cursor. */
  async connect(): Promise<void> {
    const r = await wsRequest(this.ws.client, DOC, { id: this.documentId });
    if (r.errors) throw new Error(`load: ${JSON.stringify(r.errors)}`);
    const d = (r.data as { collabDocument: { state: string; cursor: string } }).collabDocument;
    Y.applyUpdate(this.doc, bytes(d.state), REMOTE);
    this.cursor = d.cursor;
    this.follow();
  }

  /** Follows from the cursor (a reconnect: what was missed is replayed first). */
  follow(): void {
    this.online = true;
    let cursorExpired = false;
    this.stop = this.ws.client.subscribe<{ collabDocumentEvents: DocEvent }>(
      { query: EVENTS, variables: { documentId: this.documentId, after: this.cursor } },
      {
        next: (r) => {
          if (r.errors) {
            if (subCode([r.errors]) === 'CURSOR_EXPIRED') cursorExpired = true;
            else this.errors.push(JSON.stringify(r.errors));
            return;
          }
          const ev = r.data!.collabDocumentEvents;
          this.events.push(ev);
          if (ev.__typename === 'CollabUpdateEvent') {
            Y.applyUpdate(this.doc, bytes(ev.update), REMOTE);
            this.cursor = ev.cursor;
          }
        },
        error: (e) => {
          if (subCode([e]) === 'CURSOR_EXPIRED') cursorExpired = true;
          else this.errors.push(JSON.stringify(e));
          if (cursorExpired) void this.recover();
        },
        complete: () => {
          if (cursorExpired) void this.recover();
        },
      },
    );
    void this.flush();
  }

  /** CURSOR_EXPIRED: the updates after our cursor were compacted; reload (merging) and follow from the new cursor. */
  private async recover(): Promise<void> {
    this.reloads++;
    this.stop = null;
    await this.connect();
  }

  /** Goes offline: stops following and sending; edits made meanwhile are kept. */
  offline(): void {
    this.online = false;
    this.stop?.();
    this.stop = null;
  }

  /** Types one character at a random place. */
  type(ch: string, rnd: () => number = Math.random): void {
    this.text.insert(Math.floor(rnd() * (this.text.length + 1)), ch);
  }

  /** Nothing left to send and nothing in flight. */
  get idle(): boolean {
    return this.pending.length === 0 && !this.inFlight;
  }

  private async flush(): Promise<void> {
    if (this.inFlight || !this.online || this.pending.length === 0) return;
    this.inFlight = true;
    const batch = this.pending.splice(0);
    const update = Y.mergeUpdates(batch);
    try {
      let r = await wsRequest(this.ws.client, APPLY, { documentId: this.documentId, update: b64(update), clientTag: this.tag });
      if (r.errors?.[0]?.extensions?.code === 'OUT_OF_SYNC') {
        this.outOfSync++;
        r = await wsRequest(this.ws.client, APPLY, {
          documentId: this.documentId,
          update: b64(Y.encodeStateAsUpdate(this.doc)),
          clientTag: this.tag,
        });
      }
      if (r.errors) {
        this.errors.push(JSON.stringify(r.errors));
        this.pending.unshift(...batch);
      }
    } finally {
      this.inFlight = false;
    }
    if (this.pending.length && this.online && this.errors.length === 0) void this.flush();
  }

  async close(): Promise<void> {
    this.offline();
    await this.ws.client.dispose();
    this.doc.destroy();
  }
}

/** Every character typed in the stored updates: the sum of their inserted strings' lengths. */
export function insertedChars(updates: Uint8Array[]): number {
  let n = 0;
  for (const u of updates)
    for (const s of Y.decodeUpdate(u).structs) if (s instanceof Y.Item && s.content instanceof Y.ContentString) n += s.length;
  return n;
}
