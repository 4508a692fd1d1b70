/**
 * One open room, composed of one composable per job: its history and live events (useRoomHistory), what shows
 * beside the messages (useRoomSignals: typing, receipts, members, tutor replies), sending through the offline
 * outbox (useSend), actions on sent messages (useMessageActions) and read marking (useReadMarker).
 */
import { ref } from 'vue';
import { userMessage } from '../apollo/errors';
import type { ChatRoom } from '../graphql/chat';
import { useRoomHistory } from './useRoomHistory';
import { useRoomSignals } from './useRoomSignals';
import { useSend } from './useSend';
import { useMessageActions } from './useMessageActions';
import { useReadMarker } from './useReadMarker';
import type { RoomEvent } from './types';

/** `onMineChanged`: the viewer's own membership changed here (muted, removed): their rights must be read again. */
export function useRoom(room: ChatRoom, me: string | null, onMineChanged: () => void = () => {}) {
  const actionError = ref<string | null>(null);
  const signals = useRoomSignals(room.id, me, onMineChanged);
  const reads = useReadMarker(room, me);

  function onRoomEvent(ev: RoomEvent): void {
    signals.onRoomEvent(ev);
    // The server moved the viewer's marker itself: their message (from any tab), or a read in another tab.
    if (me && ev.type === 'MESSAGE_ADDED' && ev.message?.author?.id === me) reads.serverHas(ev.message.seq);
    if (me && ev.type === 'READ' && ev.userId === me && ev.readSeq) reads.serverHas(ev.readSeq);
    if (me && ev.type === 'MESSAGE_ADDED' && ev.message?.mentions.some((u) => u.id === me)) reads.notifies(ev.message.seq);
  }

  const history = useRoomHistory(room.id, onRoomEvent, (e) => (actionError.value = userMessage(e)));
  const sending = useSend(room.id, history.state, (m) => reads.serverHas(m.seq));
  const actions = useMessageActions(history.state, actionError);

  void signals.loadMembers();

  return {
    state: history.state,
    loading: history.loading,
    loadingMore: history.loadingMore,
    error: history.error,
    actionError,
    newerAvailable: history.newerAvailable,
    typers: signals.typers,
    readers: signals.readers,
    members: signals.members,
    tutorReplies: signals.tutorReplies,
    cancelTutor: actions.cancelTutor,
    retryTutor: actions.retryTutor,
    loadMembers: signals.loadMembers,
    loadLatest: history.loadLatest,
    loadOlder: history.loadOlder,
    loadNewer: history.loadNewer,
    jumpTo: history.jumpTo,
    send: sending.send,
    retry: sending.retry,
    discard: sending.discard,
    edit: actions.edit,
    remove: actions.remove,
    react: actions.react,
    markRead: reads.markRead,
    typing: signals.typing,
  };
}
