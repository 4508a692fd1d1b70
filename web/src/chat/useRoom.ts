/**
 * One open room: its history (pages both ways, jump to a message), the live room events merged in with no
 * gap or duplicate (the subscription resumes from the last event it saw), typing, read receipts, and sends
 * through the offline outbox (each message once, in order, whenever the connection allows).
 */
import { computed, onScopeDispose, ref, shallowRef, watch } from 'vue';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { useApolloClient } from '../apollo/provide';
import { useLiveList } from '../apollo/useLiveList';
import { userMessage } from '../apollo/errors';
import { useConnectionStore } from '../stores/connection';
import {
  DELETE_MESSAGE,
  EDIT_MESSAGE,
  MARK_ROOM_READ,
  ROOM_EVENTS,
  ROOM_MEMBERS_QUERY,
  ROOM_MESSAGES_QUERY,
  SEND_MESSAGE,
  SET_REACTION,
  SET_TYPING,
  type ChatRoom,
  type MessagesPage,
  type RoomMember,
} from '../graphql/chat';
import { addPage, applyEvent, compareSeq, emptyTimeline, type PendingMessage, type TimelineState } from './timeline';
import { createOutbox, type OutboxDraft, type OutboxItem } from './outbox';
import { applyTyping, createTypingSender, type TypingState } from './typing';
import type { ChatMessage, RoomEvent, TutorSignal } from './types';
import { CANCEL_TUTOR, RETRY_TUTOR } from '../graphql/tutor';

const PAGE = 50;
const RETRYABLE = new Set(['RATE_LIMITED', 'SERVICE_UNAVAILABLE']);

export function isRetryableSend(err: unknown): boolean {
  if (CombinedGraphQLErrors.is(err)) return err.errors.some((e) => RETRYABLE.has(String(e.extensions?.['code'])));
  return true; // no GraphQL answer at all: the network, try again later
}

const toPending = (i: OutboxItem): PendingMessage => ({
  clientId: i.clientId,
  kind: i.kind,
  body: i.body,
  language: i.language,
  replyToId: i.replyToId,
  createdAt: i.createdAt,
  status: i.status,
  error: i.error,
  retryAt: i.retryAt,
});

/** `onMineChanged`: the viewer's own membership changed here (muted, removed): their rights must be read again. */
export function useRoom(room: ChatRoom, me: string | null, onMineChanged: () => void = () => {}) {
  const client = useApolloClient();
  const connection = useConnectionStore();
  const loadingMore = ref(false);
  const actionError = ref<string | null>(null);
  /** Messages arrived after the window shown (after a jump): offer to go to the latest. */
  const newerAvailable = ref(false);
  const typers = shallowRef<TypingState>([]);
  const readers = shallowRef(new Map<string, string>());
  const members = shallowRef<RoomMember[]>([]);
  /** Tutor replies being produced here, by request (with when they last changed). */
  const tutorReplies = shallowRef(new Map<string, TutorSignal & { at: number }>());
  let olderCursor: string | null = null;
  let newerCursor: string | null = null;

  /** What a room event does besides changing the message list (signals, members, the "newer" hint). */
  function onRoomEvent(ev: RoomEvent): void {
    switch (ev.type) {
      case 'TYPING':
        typers.value = applyTyping(typers.value, ev, Date.now());
        return;
      case 'READ':
        if (ev.userId && ev.readSeq) readers.value = new Map(readers.value).set(ev.userId, ev.readSeq);
        return;
      case 'TUTOR': {
        const t = ev.tutor;
        if (!t) return;
        const m = new Map(tutorReplies.value);
        // The reply itself arrives as a message (done, or stopped with what was written); a refusal as a system line.
        if (t.state === 'DONE' || t.state === 'CANCELLED' || t.state === 'REFUSED') m.delete(t.requestId);
        else m.set(t.requestId, { ...t, at: Date.now() });
        tutorReplies.value = m;
        return;
      }
      case 'MEMBERS_CHANGED':
        void loadMembers();
        if (ev.userId === me) onMineChanged();
        return;
      case 'MESSAGE_ADDED':
        // Course rooms' members are the course's: a join shows as a system message.
        if (ev.message?.kind === 'SYSTEM') void loadMembers();
        // Someone who sends has stopped typing.
        if (ev.message?.author) typers.value = typers.value.filter((t) => t.userId !== ev.message!.author!.id);
        if (state.value.hasMoreNewer) newerAvailable.value = true;
        return;
    }
  }

  // The latest page with the room's head (read before its messages), followed from there: the room's live list.
  const live = useLiveList(ROOM_EVENTS, {
    initial: emptyTimeline(),
    load: async (held) => {
      const r = await fetchPage({ last: PAGE });
      olderCursor = r.messages.pageInfo.startCursor;
      newerCursor = r.messages.pageInfo.endCursor;
      return { state: windowState(held, r.messages, 'latest'), cursor: r.lastSeq };
    },
    variables: (after) => ({ roomId: room.id, after }),
    event: (data) => data.roomEvents,
    cursorOf: (ev) => ev.cursor,
    // A window away from the latest (after a jump) takes no new messages: `newerAvailable` offers the latest instead.
    merge: (s, ev) => (ev.type === 'MESSAGE_ADDED' && s.hasMoreNewer ? s : applyEvent(s, ev)),
    onEvent: onRoomEvent,
  });
  const state = live.state;
  const loading = live.loading;
  const error = computed(() => (live.error.value ? userMessage(live.error.value) : null));

  /** The timeline of a page that replaces the window shown (the latest, or around a message); pending sends stay. */
  function windowState(held: TimelineState, page: MessagesPage, mode: 'latest' | 'around'): TimelineState {
    const base = { ...emptyTimeline(), pending: held.pending };
    const nodes = page.edges.map((e) => e.node);
    return { ...addPage(base, nodes, { older: true, hasMore: page.pageInfo.hasPreviousPage }), hasMoreNewer: mode === 'around' && page.pageInfo.hasNextPage };
  }

  function applyPage(page: MessagesPage, mode: 'older' | 'newer' | 'around'): void {
    const nodes = page.edges.map((e) => e.node);
    if (mode === 'around') {
      state.value = windowState(state.value, page, mode);
      olderCursor = page.pageInfo.startCursor;
      newerCursor = page.pageInfo.endCursor;
    } else if (mode === 'older') {
      state.value = addPage(state.value, nodes, { older: true, hasMore: page.pageInfo.hasPreviousPage });
      olderCursor = page.pageInfo.startCursor ?? olderCursor;
    } else {
      state.value = addPage(state.value, nodes, { older: false, hasMore: page.pageInfo.hasNextPage });
      newerCursor = page.pageInfo.endCursor ?? newerCursor;
    }
  }

  async function fetchPage(vars: { last?: number; before?: string | null; first?: number; after?: string | null; around?: string | null }) {
    const { data } = await client.query({ query: ROOM_MESSAGES_QUERY, variables: { roomId: room.id, ...vars }, fetchPolicy: 'network-only' });
    return data!.room;
  }

  /** The latest page, followed from its head (also after a refused cursor, which useLiveList reloads by itself). */
  async function loadLatest(): Promise<void> {
    await live.reload();
    if (!live.error.value) newerAvailable.value = false;
  }

  async function loadOlder(): Promise<void> {
    if (loadingMore.value || !state.value.hasMoreOlder || !olderCursor) return;
    loadingMore.value = true;
    try {
      applyPage((await fetchPage({ last: PAGE, before: olderCursor })).messages, 'older');
    } catch (e) {
      actionError.value = userMessage(e);
    } finally {
      loadingMore.value = false;
    }
  }

  async function loadNewer(): Promise<void> {
    if (loadingMore.value || !state.value.hasMoreNewer || !newerCursor) return;
    loadingMore.value = true;
    try {
      applyPage((await fetchPage({ first: PAGE, after: newerCursor })).messages, 'newer');
      if (!state.value.hasMoreNewer) newerAvailable.value = false;
    } catch (e) {
      actionError.value = userMessage(e);
    } finally {
      loadingMore.value = false;
    }
  }

  /** Shows the history around a message (already loaded: nothing to fetch). Resolves false when it is not there. */
  async function jumpTo(messageId: string): Promise<boolean> {
    if (state.value.messages.some((m) => m.id === messageId)) return true;
    try {
      const r = await fetchPage({ around: messageId });
      applyPage(r.messages, 'around');
      return true;
    } catch (e) {
      actionError.value = userMessage(e);
      return false;
    }
  }

  // ---------------------------------------------------------------- sending

  const outbox = createOutbox({
    roomId: room.id,
    storage: safeStorage(),
    isRetryable: isRetryableSend,
    send: async (item) => {
      const { data } = await client.mutate({
        mutation: SEND_MESSAGE,
        variables: {
          input: {
            roomId: room.id,
            clientId: item.clientId,
            body: item.body,
            kind: item.kind === 'CODE' ? 'CODE' : 'TEXT',
            language: item.language,
            replyToId: item.replyToId,
            mentionIds: item.mentionIds,
          },
        },
      });
      // The acknowledgment shows the message even if the live event is still on its way.
      if (data && !state.value.hasMoreNewer) state.value = applyEvent(state.value, { type: 'MESSAGE_ADDED', message: data.sendMessage, cursor: null, userId: null, userName: null, typing: null, readSeq: null, expiresAt: null, tutor: null });
    },
    onChange: (items) => {
      const acked = new Set(state.value.messages.map((m) => m.clientId));
      state.value = { ...state.value, pending: items.filter((i) => !acked.has(i.clientId)).map(toPending) };
    },
  });
  // Items kept from an earlier visit (a reload while offline) show at once.
  state.value = { ...state.value, pending: outbox.items().map(toPending) };

  function send(draft: OutboxDraft): void {
    outbox.enqueue(draft);
    void outbox.flush();
  }
  const retry = (clientId: string) => void outbox.retry(clientId);
  const discard = (clientId: string) => outbox.discard(clientId);
  // Queued sends go out when the connection is back, and are retried every few seconds meanwhile.
  const flushTimer = setInterval(() => {
    if (outbox.items().some((i) => i.status === 'queued')) void outbox.flush();
  }, 3000);
  watch(
    () => connection.state,
    (s) => s === 'connected' && void outbox.flush(),
  );
  const onOnline = () => void outbox.flush();
  window.addEventListener('online', onOnline);

  const typing = createTypingSender({
    send: (t) => void client.mutate({ mutation: SET_TYPING, variables: { roomId: room.id, typing: t } }).catch(() => {}),
  });

  async function act<T>(fn: () => Promise<T>): Promise<T | null> {
    actionError.value = null;
    try {
      return await fn();
    } catch (e) {
      actionError.value = userMessage(e);
      return null;
    }
  }
  const applyResult = (m: ChatMessage | undefined, type: 'MESSAGE_EDITED' | 'MESSAGE_DELETED' | 'REACTIONS_CHANGED') => {
    if (m) state.value = applyEvent(state.value, { type, message: m, cursor: null, userId: null, userName: null, typing: null, readSeq: null, expiresAt: null, tutor: null });
  };
  const edit = (m: ChatMessage, body: string) => act(async () => applyResult((await client.mutate({ mutation: EDIT_MESSAGE, variables: { id: m.id, body } })).data?.editMessage, 'MESSAGE_EDITED'));
  const remove = (m: ChatMessage) => act(async () => applyResult((await client.mutate({ mutation: DELETE_MESSAGE, variables: { id: m.id } })).data?.deleteMessage, 'MESSAGE_DELETED'));
  const react = (m: ChatMessage, emoji: string, on: boolean) =>
    act(async () => applyResult((await client.mutate({ mutation: SET_REACTION, variables: { messageId: m.id, emoji, on } })).data?.setReaction, 'REACTIONS_CHANGED'));

  // ------------------------------------------------------------ read state

  let markedSeq = room.lastReadSeq ?? '0';
  let markTimer: ReturnType<typeof setTimeout> | undefined;
  /** Marks read up to the latest message on screen (debounced); resolves with the marker. */
  function markRead(seq: string, done: (seq: string) => void): void {
    if (!me || compareSeq(seq, markedSeq) <= 0) return;
    clearTimeout(markTimer);
    markTimer = setTimeout(() => {
      markedSeq = seq;
      client
        .mutate({ mutation: MARK_ROOM_READ, variables: { roomId: room.id, seq } })
        .then(({ data }) => data && done(data.markRoomRead))
        .catch(() => (markedSeq = '0'));
    }, 300);
  }

  async function loadMembers(): Promise<void> {
    try {
      const { data } = await client.query({ query: ROOM_MEMBERS_QUERY, variables: { roomId: room.id, first: 100 }, fetchPolicy: 'network-only' });
      members.value = data!.room.members.edges.map((e) => e.node);
      const m = new Map(readers.value);
      for (const x of members.value) if (x.lastReadSeq && !m.has(x.user.id)) m.set(x.user.id, x.lastReadSeq);
      readers.value = m;
    } catch {
      /* mentions and receipts are extras: the room works without them */
    }
  }

  // Typers expire even when no event comes; so does a tutor reply that stopped reporting (its worker died
  // and the job waits to be taken up again: its next signal brings it back).
  const clock = setInterval(() => {
    if (typers.value.length) typers.value = applyTyping(typers.value, { userId: null, userName: null, typing: null, expiresAt: null }, Date.now());
    const stale = [...tutorReplies.value.values()].filter((t) => t.state !== 'FAILED' && Date.now() - t.at > 90_000);
    if (stale.length) {
      const m = new Map(tutorReplies.value);
      for (const t of stale) m.delete(t.requestId);
      tutorReplies.value = m;
    }
  }, 1000);

  const cancelTutor = (requestId: string) => act(() => client.mutate({ mutation: CANCEL_TUTOR, variables: { requestId } }));
  const retryTutor = (requestId: string) => act(() => client.mutate({ mutation: RETRY_TUTOR, variables: { requestId } }));

  onScopeDispose(() => {
    clearInterval(flushTimer);
    outbox.dispose();
    clearInterval(clock);
    clearTimeout(markTimer);
    window.removeEventListener('online', onOnline);
    typing.stop();
  });

  void loadMembers();

  return { state, loading, loadingMore, error, actionError, newerAvailable, typers, readers, members, tutorReplies, cancelTutor, retryTutor, loadMembers, loadLatest, loadOlder, loadNewer, jumpTo, send, retry, discard, edit, remove, react, markRead, typing };
}

/** localStorage when the browser allows it (a third-party iframe may not), else a page-lifetime map. */
function safeStorage(): Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> {
  try {
    const k = '__cc_probe__';
    window.localStorage.setItem(k, '1');
    window.localStorage.removeItem(k);
    return window.localStorage;
  } catch {
    const m = new Map<string, string>();
    return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v), removeItem: (k) => void m.delete(k) };
  }
}
