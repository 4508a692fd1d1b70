/**
 * The one client of a collab document, used by the editor, the class grid's live tiles and the replay's live end.
 *
 * It loads the document (`collabDocument`: the full Yjs state and the stream position it reflects), applies it, and
 * follows `collabDocumentEvents` from that cursor (one subscription per provider, nothing polled): updates of others
 * are applied (an event at or below the last applied cursor is skipped: a resubscription may replay), awareness
 * signals go to the y-protocols `Awareness`. Local changes (any origin but the provider's own) are sent with
 * `applyCollabUpdate`, one mutation in flight at a time, what is made meanwhile merged and sent next (UpdateOutbox);
 * a failed send is kept and retried with backoff; OUT_OF_SYNC sends the whole state (the server trims it); an update
 * refused for good is taken back locally. When the realtime socket comes back after a drop, or the cursor has expired
 * (the log before it was compacted), the document is loaded again and merged (nothing lost, nothing doubled: Yjs
 * merges are idempotent) and followed from the new cursor; edits made offline are sent then.
 *
 * Awareness (when asked for): the local state is sent with `sendCollabAwareness` at most 10 times a second
 * (y-protocols renews it every 15 s), and removed on destroy. The server sets `user.name`/`user.color` itself.
 */
import type { ApolloClient } from '@apollo/client';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { fromBase64, toBase64 } from 'lib0/buffer';
import * as decoding from 'lib0/decoding';
import { getActivePinia } from 'pinia';
import { ref, shallowRef, watch, type Ref, type ShallowRef } from 'vue';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { backoffDelay } from '../connection/backoff';
import { userMessage } from '../apollo/errors';
import { APPLY_COLLAB_UPDATE, COLLAB_DOCUMENT_EVENTS, COLLAB_DOCUMENT_QUERY, SEND_COLLAB_AWARENESS } from '../graphql/collab-documents';
import type { CollabDocumentEventsSubscription, CollabDocumentQuery } from '../gql/graphql';
import { randomId } from '../random-id';
import { useConnectionStore } from '../stores/connection';
import { UpdateOutbox } from './outbox';
import {
  type CollabConnection,
  type ConnectionFacts,
  connectionOf,
  feedFailure,
  isNewer,
  refusalMessage,
  sendFailure,
  textChange,
  throttleWait,
} from './sync';
import { lightShade, userColor } from './colors';

export interface CollabProviderOptions {
  documentId: string;
  /** Never sends anything (the grid's tiles, the replay). */
  readOnly?: boolean;
  /** Keep an Awareness (who is here, cursors): the editor. */
  awareness?: boolean;
  user?: { name: string };
}

/** What the load tells about the document besides its state. */
export type CollabDocumentInfo = Omit<CollabDocumentQuery['collabDocument'], 'state' | 'cursor'>;

/** Awareness sends per second, at most. */
const AWARENESS_PER_SECOND = 10;
/** When to say again that we are here after following starts (see sync()). */
const AWARENESS_SETTLE_MS = 1500;
/** Tries of an awareness send that failed (the network), before waiting for the next change or renewal. */
const AWARENESS_RETRIES = 4;
const BACKOFF = { baseMs: 500, capMs: 10_000, fastAttempts: 3 };

function errorCode(error: unknown): string | null {
  if (CombinedGraphQLErrors.is(error)) return (error.errors[0]?.extensions?.['code'] as string | undefined) ?? null;
  return null;
}

/** The client id of a one-client awareness update (varUint count, then varUint clientID…); null when unreadable. */
function awarenessClientOf(update: Uint8Array): number | null {
  try {
    const d = decoding.createDecoder(update);
    decoding.readVarUint(d);
    return decoding.readVarUint(d);
  } catch {
    return null;
  }
}

type DocumentEvent = CollabDocumentEventsSubscription['collabDocumentEvents'];

export class CollabProvider {
  readonly doc: Y.Doc;
  readonly text: Y.Text;
  readonly awareness: Awareness | null;
  readonly connection: Ref<CollabConnection> = ref('connecting');
  readonly error: Ref<string | null> = ref(null);
  readonly canEdit: Ref<boolean> = ref(false);
  readonly locked: Ref<boolean> = ref(false);
  /** Date.now() when an update of someone else arrived. */
  readonly lastRemoteEditAt: Ref<number | null> = ref(null);
  /** The document's owner, language and the viewer's rights, from the last load. */
  readonly info: ShallowRef<CollabDocumentInfo | null> = shallowRef(null);

  private readonly documentId: string;
  private readonly readOnly: boolean;
  /** Marks this client's updates in the feed (the server echoes them with it). */
  private readonly clientTag = randomId();
  private readonly outbox = new UpdateOutbox((updates) => Y.mergeUpdates(updates));
  /** The last update event applied (or the load's position): where the feed resumes. */
  private cursor: string | null = null;
  private feed: { unsubscribe(): void } | null = null;
  /** Bumped by every sync (load then follow) and feed opening, so a stale one's results are dropped. */
  private round = 0;
  private started = false;
  private destroyed = false;
  private loaded = false;
  /** Sending is paused: the server said the viewer may not edit (locked); a refresh with the right resumes it. */
  private blocked = false;
  private facts: ConnectionFacts = { fatal: false, following: false, socketDown: false, sendFailing: false };
  private sendAttempt = 0;
  private syncAttempt = 0;
  private feedAttempt = 0;
  private resyncs = 0;
  private sendTimer: ReturnType<typeof setTimeout> | undefined;
  private syncTimer: ReturnType<typeof setTimeout> | undefined;
  private awarenessTimer: ReturnType<typeof setTimeout> | undefined;
  private awarenessSentAt: number | null = null;
  private awarenessAttempt = 0;
  /** Bumped each time we (re)arrive: see sayHello(). */
  private hello = 0;
  private awarenessRetry: ReturnType<typeof setTimeout> | undefined;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    private readonly client: ApolloClient,
    options: CollabProviderOptions,
  ) {
    this.documentId = options.documentId;
    this.readOnly = !!options.readOnly;
    this.doc = new Y.Doc();
    this.text = this.doc.getText('code');
    this.doc.on('update', this.onLocalUpdate);
    this.awareness = options.awareness ? new Awareness(this.doc) : null;
    if (this.awareness) {
      const name = options.user?.name ?? 'Someone';
      const color = userColor(name);
      this.awareness.setLocalStateField('user', { name, color: color.color, colorLight: color.light });
      this.awareness.on('update', this.onAwarenessUpdate);
    }
    this.watchSocket();
    if (typeof window !== 'undefined') {
      const online = () => this.sendNow();
      window.addEventListener('online', online);
      this.cleanups.push(() => window.removeEventListener('online', online));
    }
  }

  /** Loads the document and follows it; resolves once the first load is in (or failed: see `connection`, `error`). */
  async start(): Promise<void> {
    if (this.started || this.destroyed) return;
    this.started = true;
    await this.sync();
  }

  /** Reads the document again (its rights after a lock or a fork, its state) and merges it; the feed goes on. */
  async refresh(): Promise<void> {
    if (!this.started || this.destroyed) return;
    try {
      await this.load();
    } catch {
      // The feed and the next sync bring it; rights stay as they were.
    }
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.round++;
    this.stopFeed();
    clearTimeout(this.sendTimer);
    clearTimeout(this.syncTimer);
    clearTimeout(this.awarenessTimer);
    clearTimeout(this.awarenessRetry);
    for (const cleanup of this.cleanups) cleanup();
    this.doc.off('update', this.onLocalUpdate);
    // Edits not stored yet: one last try (the page is going away; nobody waits for the answer).
    const last = this.loaded && !this.readOnly && !this.blocked ? this.outbox.drain() : null;
    if (last) void this.mutateUpdate(last).catch(() => undefined);
    if (this.awareness) {
      this.awareness.off('update', this.onAwarenessUpdate);
      if (this.loaded) {
        removeAwarenessStates(this.awareness, [this.awareness.clientID], 'local');
        this.postAwareness(encodeAwarenessUpdate(this.awareness, [this.awareness.clientID]));
      }
      this.awareness.destroy();
    }
    this.doc.destroy();
  }

  // ---- loading and following

  /** Loads, merges, then follows from the loaded cursor; a failure is retried with backoff unless it is for good. */
  private async sync(): Promise<void> {
    const round = ++this.round;
    clearTimeout(this.syncTimer);
    this.stopFeed();
    try {
      await this.load();
    } catch (error) {
      if (round !== this.round || this.destroyed) return;
      if (feedFailure(errorCode(error)) === 'fatal') {
        this.error.value = userMessage(error);
        this.set({ fatal: true });
        return;
      }
      this.syncTimer = setTimeout(() => void this.sync(), backoffDelay(this.syncAttempt++, Math.random, BACKOFF));
      return;
    }
    if (round !== this.round || this.destroyed) return;
    this.syncAttempt = 0;
    this.follow(round);
    this.sendNow();
    this.sayHello();
    // A subscription is not acknowledged: the answers of the people here to that hello may reach the server before it
    // follows the document for us, and be lost. Once more a moment later, when it surely does.
    if (this.awareness) {
      clearTimeout(this.awarenessRetry);
      this.awarenessRetry = setTimeout(() => this.sayHello(), AWARENESS_SETTLE_MS);
    }
  }

  private async load(): Promise<void> {
    const { data } = await this.client.query({
      query: COLLAB_DOCUMENT_QUERY,
      variables: { id: this.documentId },
      // The state is the provider's; keeping it in the Apollo cache would only cost memory.
      fetchPolicy: 'no-cache',
    });
    const d = data?.collabDocument;
    if (!d) throw new Error('This document was not found.');
    if (this.destroyed) return;
    Y.applyUpdate(this.doc, fromBase64(d.state), this);
    if (isNewer(d.cursor, this.cursor)) this.cursor = d.cursor;
    const { state: _state, cursor: _cursor, ...info } = d;
    this.info.value = info;
    this.locked.value = d.locked;
    const couldEdit = this.canEdit.value;
    this.canEdit.value = d.viewerCanEdit && !this.readOnly;
    this.loaded = true;
    if (this.canEdit.value && (this.blocked || !couldEdit)) {
      this.blocked = false;
      this.sendNow();
    }
  }

  private follow(round: number): void {
    this.stopFeed();
    const observable = this.client.subscribe({
      query: COLLAB_DOCUMENT_EVENTS,
      variables: { documentId: this.documentId, after: this.cursor },
      fetchPolicy: 'no-cache',
    });
    let over = false;
    const end = (error: unknown) => {
      if (over || round !== this.round) return;
      over = true;
      this.feedEnded(error);
    };
    this.feed = observable.subscribe({
      next: (result) => {
        if (over || round !== this.round) return;
        if (result.error) return end(result.error);
        if (result.data) {
          this.feedAttempt = 0;
          this.onEvent(result.data.collabDocumentEvents);
        }
      },
      error: (error: unknown) => end(error ?? new Error('The document feed failed.')),
      complete: () => end(null),
    });
    this.set({ following: true, fatal: false });
  }

  private stopFeed(): void {
    this.feed?.unsubscribe();
    this.feed = null;
    this.set({ following: false });
  }

  private feedEnded(error: unknown): void {
    this.feed = null;
    this.set({ following: false });
    const what = error === null ? 'retry' : feedFailure(errorCode(error));
    if (what === 'fatal') {
      this.error.value = userMessage(error);
      this.set({ fatal: true });
      return;
    }
    const round = ++this.round;
    if (what === 'reload') return void this.sync();
    // Resumed from the last applied cursor: the server replays what came after it.
    this.syncTimer = setTimeout(
      () => round === this.round && !this.destroyed && this.follow(round),
      backoffDelay(this.feedAttempt++, Math.random, BACKOFF),
    );
  }

  private onEvent(ev: DocumentEvent): void {
    if (ev.__typename === 'CollabUpdateEvent') {
      if (!isNewer(ev.cursor, this.cursor)) return;
      this.cursor = ev.cursor;
      if (ev.clientTag === this.clientTag) return; // ours: the doc has it
      Y.applyUpdate(this.doc, fromBase64(ev.update), this);
      this.lastRemoteEditAt.value = Date.now();
    } else if (ev.__typename === 'CollabAwarenessEvent' && this.awareness) {
      const update = fromBase64(ev.update);
      const clientId = awarenessClientOf(update);
      const helloOf = () =>
        clientId === null ? undefined : (this.awareness?.getStates().get(clientId) as { hello?: unknown } | undefined)?.hello;
      const before = helloOf();
      applyAwarenessUpdate(this.awareness, update, this);
      if (clientId === this.awareness.clientID) this.takeServerUser(ev);
      // Someone (re)arrived and has not heard of us (states are renewed only every 15 s): answer with ours.
      else if (helloOf() !== undefined && helloOf() !== before) this.announce();
    }
  }

  /** The realtime socket's state (the app's connection store): down shows offline; back after a drop, sync again. */
  private watchSocket(): void {
    // No socket of the app outside a browser (tests): nothing to watch.
    const pinia = typeof window === 'undefined' ? undefined : getActivePinia();
    if (!pinia) return;
    const store = useConnectionStore(pinia);
    let dropped = false;
    let connected = store.state === 'connected';
    const stop = watch(
      () => store.state,
      (state) => {
        const down = state === 'offline' || state === 'reconnecting';
        this.set({ socketDown: down });
        if (state === 'connected') {
          if (dropped && this.started && !this.destroyed) void this.sync();
          dropped = false;
          connected = true;
        } else if (connected) dropped = true;
      },
      { immediate: true },
    );
    this.cleanups.push(stop);
  }

  // ---- sending

  private readonly onLocalUpdate = (update: Uint8Array, origin: unknown) => {
    if (origin === this || this.readOnly) return;
    this.outbox.add(update);
    this.flush();
  };

  /** Sends now whatever waits, cutting a pending backoff short (the browser is back online, access came back). */
  private sendNow(): void {
    clearTimeout(this.sendTimer);
    this.sendTimer = undefined;
    this.flush();
  }

  private flush(): void {
    if (this.destroyed || this.readOnly || !this.loaded || this.blocked || this.sendTimer !== undefined) return;
    const update = this.outbox.take();
    if (!update) return;
    this.mutateUpdate(update).then(
      () => {
        this.outbox.sent();
        this.sendAttempt = 0;
        this.resyncs = 0;
        if (this.error.value && !this.facts.fatal) this.error.value = null;
        this.set({ sendFailing: false });
        this.flush();
      },
      (error: unknown) => this.sendFailed(error),
    );
  }

  private mutateUpdate(update: Uint8Array) {
    return this.client.mutate({
      mutation: APPLY_COLLAB_UPDATE,
      variables: { documentId: this.documentId, update: toBase64(update), clientTag: this.clientTag },
      fetchPolicy: 'no-cache',
    });
  }

  private sendFailed(error: unknown): void {
    if (this.destroyed) return;
    const code = errorCode(error);
    switch (sendFailure(code)) {
      case 'resync':
        this.outbox.replaceAll(Y.encodeStateAsUpdate(this.doc));
        // Once at once; again, the server may lack what the state builds on: load it first, after a pause.
        if (this.resyncs++ === 0) return this.flush();
        return this.retryLater(true);
      case 'refused':
        this.outbox.clear();
        this.error.value = refusalMessage(code);
        return void this.takeBack();
      case 'read-only':
        this.outbox.failed();
        this.blocked = true;
        this.canEdit.value = false;
        if (code === 'DOCUMENT_LOCKED') this.locked.value = true;
        return;
      case 'retry':
        this.outbox.failed();
        // A GraphQL answer (rate limited, server trouble) is not "offline"; no answer at all is.
        if (!CombinedGraphQLErrors.is(error)) this.set({ sendFailing: true });
        return this.retryLater(false);
    }
  }

  private retryLater(reload: boolean): void {
    clearTimeout(this.sendTimer);
    this.sendTimer = setTimeout(
      () => {
        this.sendTimer = undefined;
        if (reload) void this.refresh().then(() => this.flush());
        else this.flush();
      },
      backoffDelay(this.sendAttempt++, Math.random, BACKOFF),
    );
  }

  /**
   * Takes back local changes the server refused for good: merges the server's state, then edits the text back to the
   * server's (that edit is sent like any other; the refused content, deleted, is garbage-collected before it goes).
   */
  private async takeBack(): Promise<void> {
    try {
      const { data } = await this.client.query({
        query: COLLAB_DOCUMENT_QUERY,
        variables: { id: this.documentId },
        fetchPolicy: 'no-cache',
      });
      const d = data?.collabDocument;
      if (!d || this.destroyed) return;
      const server = new Y.Doc();
      Y.applyUpdate(server, fromBase64(d.state));
      const serverText = server.getText('code').toString();
      server.destroy();
      Y.applyUpdate(this.doc, fromBase64(d.state), this);
      if (isNewer(d.cursor, this.cursor)) this.cursor = d.cursor;
      const change = textChange(this.text.toString(), serverText);
      if (!change) return;
      this.doc.transact(() => {
        if (change.remove) this.text.delete(change.index, change.remove);
        if (change.insert) this.text.insert(change.index, change.insert);
      }, 'take-back');
    } catch {
      // Offline: the text stays as it is here until the next load merges.
    }
  }

  // ---- awareness

  private readonly onAwarenessUpdate = (changes: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
    if (origin === this || !this.awareness) return;
    const me = this.awareness.clientID;
    if ([...changes.added, ...changes.updated, ...changes.removed].includes(me)) this.announce();
  };

  /** Announces us with a new `hello`: everyone here answers with their own state (a newcomer learns who is here). */
  private sayHello(): void {
    if (!this.awareness || this.destroyed) return;
    this.awareness.setLocalStateField('hello', ++this.hello);
  }

  /** Our own signal, as the server sent it on: its name and colour for this person become ours here too. */
  private takeServerUser(ev: { userId: string; name: string; color: string }): void {
    const local = this.awareness?.getLocalState() as { user?: { name?: string; color?: string; userId?: string } } | null;
    if (!local || (local.user?.name === ev.name && local.user.color === ev.color && local.user.userId === ev.userId)) return;
    this.awareness?.setLocalStateField('user', { name: ev.name, color: ev.color, colorLight: lightShade(ev.color), userId: ev.userId });
  }

  /** Sends the local awareness state soon, at most AWARENESS_PER_SECOND times a second (the latest state). */
  private announce(): void {
    if (!this.awareness || this.awarenessTimer !== undefined || this.destroyed || !this.loaded) return;
    const wait = throttleWait(this.awarenessSentAt, Date.now(), AWARENESS_PER_SECOND);
    this.awarenessTimer = setTimeout(() => {
      this.awarenessTimer = undefined;
      if (!this.awareness || this.destroyed) return;
      this.awarenessSentAt = Date.now();
      this.postAwareness(encodeAwarenessUpdate(this.awareness, [this.awareness.clientID]));
    }, wait);
  }

  private postAwareness(update: Uint8Array): void {
    this.client
      .mutate({
        mutation: SEND_COLLAB_AWARENESS,
        variables: { documentId: this.documentId, update: toBase64(update) },
        fetchPolicy: 'no-cache',
      })
      .then(
        () => (this.awarenessAttempt = 0),
        () => {
          // Ephemeral, but others would not see us until the renewal (15 s): the latest state again, a few times.
          if (this.destroyed || this.awarenessAttempt >= AWARENESS_RETRIES) return;
          clearTimeout(this.awarenessRetry);
          this.awarenessRetry = setTimeout(() => this.announce(), backoffDelay(this.awarenessAttempt++, Math.random, BACKOFF));
        },
      );
  }

  // ---- state shown

  private set(changes: Partial<ConnectionFacts>): void {
    this.facts = { ...this.facts, ...changes };
    this.connection.value = connectionOf(this.facts);
  }
}
