/**
 * Sending in a room through the offline outbox: each message once, in order, whenever the connection allows.
 * Queued sends are retried every few seconds, when the connection is back and when the browser is online again;
 * pending ones show in the room's timeline until the server acknowledges them.
 */
import { onScopeDispose, watch, type ShallowRef } from 'vue';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { useApolloClient } from '../apollo/provide';
import { useConnectionStore } from '../stores/connection';
import { SEND_MESSAGE } from '../graphql/chat';
import { applyEvent, type PendingMessage, type TimelineState } from './timeline';
import { createOutbox, type OutboxDraft, type OutboxItem } from './outbox';
import type { ChatMessage } from './types';

const RETRYABLE = new Set(['RATE_LIMITED', 'SERVICE_UNAVAILABLE']);

function isRetryableSend(err: unknown): boolean {
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

/** `onSent`: the server stored one of the viewer's messages (it moved their read marker to it). */
export function useSend(roomId: string, state: ShallowRef<TimelineState>, onSent: (message: ChatMessage) => void = () => {}) {
  const client = useApolloClient();
  const connection = useConnectionStore();

  const outbox = createOutbox({
    roomId,
    storage: safeStorage(),
    isRetryable: isRetryableSend,
    send: async (item) => {
      const { data } = await client.mutate({
        mutation: SEND_MESSAGE,
        variables: {
          input: {
            roomId,
            clientId: item.clientId,
            body: item.body,
            kind: item.kind === 'CODE' ? 'CODE' : 'TEXT',
            language: item.language,
            replyToId: item.replyToId,
            mentionIds: item.mentionIds,
          },
        },
      });
      if (!data) return;
      onSent(data.sendMessage);
      // The acknowledgment shows the message even if the live event is still on its way.
      if (!state.value.hasMoreNewer)
        state.value = applyEvent(state.value, {
          type: 'MESSAGE_ADDED',
          message: data.sendMessage,
          cursor: null,
          userId: null,
          userName: null,
          typing: null,
          readSeq: null,
          expiresAt: null,
          tutor: null,
        });
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

  onScopeDispose(() => {
    clearInterval(flushTimer);
    outbox.dispose();
    window.removeEventListener('online', onOnline);
  });

  return { send, retry, discard };
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
