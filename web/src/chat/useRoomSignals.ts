/**
 * What a room shows beside its messages, kept from its live events: who is typing (and this viewer's own typing
 * signal), read receipts, the members, and the tutor's replies while they are produced. Typers and tutor replies
 * that stopped reporting expire on a clock of their own.
 */
import { onScopeDispose, shallowRef } from 'vue';
import { useApolloClient } from '../apollo/provide';
import { ROOM_MEMBERS_QUERY, SET_TYPING, type RoomMember } from '../graphql/chat';
import { applyTyping, createTypingSender, type TypingState } from './typing';
import type { RoomEvent, TutorSignal } from './types';

/** `onMineChanged`: the viewer's own membership changed here (muted, removed): their rights must be read again. */
export function useRoomSignals(roomId: string, me: string | null, onMineChanged: () => void) {
  const client = useApolloClient();
  const typers = shallowRef<TypingState>([]);
  const readers = shallowRef(new Map<string, string>());
  const members = shallowRef<RoomMember[]>([]);
  /** Tutor replies being produced here, by request (with when they last changed). */
  const tutorReplies = shallowRef(new Map<string, TutorSignal & { at: number }>());

  /** What a room event does besides changing the message list. */
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
        return;
    }
  }

  async function loadMembers(): Promise<void> {
    try {
      const { data } = await client.query({ query: ROOM_MEMBERS_QUERY, variables: { roomId, first: 100 }, fetchPolicy: 'network-only' });
      members.value = data!.room.members.edges.map((e) => e.node);
      const m = new Map(readers.value);
      for (const x of members.value) if (x.lastReadSeq && !m.has(x.user.id)) m.set(x.user.id, x.lastReadSeq);
      readers.value = m;
    } catch {
      /* mentions and receipts are extras: the room works without them */
    }
  }

  const typing = createTypingSender({
    send: (t) => void client.mutate({ mutation: SET_TYPING, variables: { roomId, typing: t } }).catch(() => {}),
  });

  // Typers expire even when no event comes; so does a tutor reply that stopped reporting (its worker died
  // and the job waits to be taken up again: its next signal brings it back).
  const clock = setInterval(() => {
    if (typers.value.length)
      typers.value = applyTyping(typers.value, { userId: null, userName: null, typing: null, expiresAt: null }, Date.now());
    const stale = [...tutorReplies.value.values()].filter((t) => t.state !== 'FAILED' && Date.now() - t.at > 90_000);
    if (stale.length) {
      const m = new Map(tutorReplies.value);
      for (const t of stale) m.delete(t.requestId);
      tutorReplies.value = m;
    }
  }, 1000);

  onScopeDispose(() => {
    clearInterval(clock);
    typing.stop();
  });

  return { typers, readers, members, tutorReplies, loadMembers, onRoomEvent, typing };
}
