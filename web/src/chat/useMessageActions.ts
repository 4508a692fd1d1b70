/**
 * What a reader does to messages already sent: edit, delete, react, and stop or retry a tutor reply. Each result
 * shows at once (the live event that follows changes nothing more); a refusal lands in `actionError`.
 */
import type { Ref, ShallowRef } from 'vue';
import { useApolloClient } from '../apollo/provide';
import { userMessage } from '../apollo/errors';
import { DELETE_MESSAGE, EDIT_MESSAGE, SET_REACTION } from '../graphql/chat';
import { CANCEL_TUTOR, RETRY_TUTOR } from '../graphql/tutor';
import { applyEvent, type TimelineState } from './timeline';
import type { ChatMessage } from './types';

export function useMessageActions(state: ShallowRef<TimelineState>, actionError: Ref<string | null>) {
  const client = useApolloClient();

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
    if (m)
      state.value = applyEvent(state.value, {
        type,
        message: m,
        cursor: null,
        userId: null,
        userName: null,
        typing: null,
        readSeq: null,
        expiresAt: null,
        tutor: null,
      });
  };
  const edit = (m: ChatMessage, body: string) =>
    act(async () =>
      applyResult((await client.mutate({ mutation: EDIT_MESSAGE, variables: { id: m.id, body } })).data?.editMessage, 'MESSAGE_EDITED'),
    );
  const remove = (m: ChatMessage) =>
    act(async () =>
      applyResult((await client.mutate({ mutation: DELETE_MESSAGE, variables: { id: m.id } })).data?.deleteMessage, 'MESSAGE_DELETED'),
    );
  const react = (m: ChatMessage, emoji: string, on: boolean) =>
    act(async () =>
      applyResult(
        (await client.mutate({ mutation: SET_REACTION, variables: { messageId: m.id, emoji, on } })).data?.setReaction,
        'REACTIONS_CHANGED',
      ),
    );

  const cancelTutor = (requestId: string) => act(() => client.mutate({ mutation: CANCEL_TUTOR, variables: { requestId } }));
  const retryTutor = (requestId: string) => act(() => client.mutate({ mutation: RETRY_TUTOR, variables: { requestId } }));

  return { edit, remove, react, cancelTutor, retryTutor };
}
