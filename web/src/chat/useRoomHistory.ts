/**
 * A room's history: the latest page with the room's head, followed from there (the room's live list: no gap or
 * duplicate, the subscription resumes from the last event it saw), older and newer pages, and jumps to a message
 * (a window away from the latest, which then takes no new messages: `newerAvailable` offers the latest instead).
 */
import { computed, ref } from 'vue';
import { useApolloClient } from '../apollo/provide';
import { useLiveList } from '../apollo/useLiveList';
import { userMessage } from '../apollo/errors';
import { ROOM_EVENTS, ROOM_MESSAGES_QUERY, type MessagesPage } from '../graphql/chat';
import { addPage, applyEvent, emptyTimeline, type TimelineState } from './timeline';
import type { RoomEvent } from './types';

const PAGE = 50;

/** `onEvent`: what a room event does besides changing the message list; `onError`: a page that failed to load. */
export function useRoomHistory(roomId: string, onEvent: (ev: RoomEvent) => void, onError: (e: unknown) => void) {
  const client = useApolloClient();
  const loadingMore = ref(false);
  /** Messages arrived after the window shown (after a jump): offer to go to the latest. */
  const newerAvailable = ref(false);
  let olderCursor: string | null = null;
  let newerCursor: string | null = null;

  // The latest page with the room's head (read before its messages), followed from there: the room's live list.
  const live = useLiveList(ROOM_EVENTS, {
    initial: emptyTimeline(),
    load: async (held) => {
      const r = await fetchPage({ last: PAGE });
      olderCursor = r.messages.pageInfo.startCursor;
      newerCursor = r.messages.pageInfo.endCursor;
      return { state: windowState(held, r.messages, 'latest'), cursor: r.lastSeq };
    },
    variables: (after) => ({ roomId, after }),
    event: (data) => data.roomEvents,
    cursorOf: (ev) => ev.cursor,
    // A window away from the latest (after a jump) takes no new messages: `newerAvailable` offers the latest instead.
    merge: (s, ev) => (ev.type === 'MESSAGE_ADDED' && s.hasMoreNewer ? s : applyEvent(s, ev)),
    onEvent: (ev) => {
      if (ev.type === 'MESSAGE_ADDED' && state.value.hasMoreNewer) newerAvailable.value = true;
      onEvent(ev);
    },
  });
  const state = live.state;
  const loading = live.loading;
  const error = computed(() => (live.error.value ? userMessage(live.error.value) : null));

  /** The timeline of a page that replaces the window shown (the latest, or around a message); pending sends stay. */
  function windowState(held: TimelineState, page: MessagesPage, mode: 'latest' | 'around'): TimelineState {
    const base = { ...emptyTimeline(), pending: held.pending };
    const nodes = page.edges.map((e) => e.node);
    return {
      ...addPage(base, nodes, { older: true, hasMore: page.pageInfo.hasPreviousPage }),
      hasMoreNewer: mode === 'around' && page.pageInfo.hasNextPage,
    };
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
    const { data } = await client.query({ query: ROOM_MESSAGES_QUERY, variables: { roomId, ...vars }, fetchPolicy: 'network-only' });
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
      onError(e);
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
      onError(e);
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
      onError(e);
      return false;
    }
  }

  return { state, loading, loadingMore, error, newerAvailable, loadLatest, loadOlder, loadNewer, jumpTo };
}
