/**
 * A room's read marking: what the reader saw goes to the server coalesced (read-marker.ts: at most one
 * markRoomRead per few seconds, the newest seq only, nothing the server holds already). What waits is sent at once
 * when the tab is hidden or the room is left, and a second after the reader saw a message that notified them (its
 * notification is read with the mark: the bell shows it, then stops counting what is on screen).
 */
import { onScopeDispose } from 'vue';
import { useApolloClient } from '../apollo/provide';
import { MARK_ROOM_READ, type ChatRoom } from '../graphql/chat';
import { compareSeq } from './timeline';
import { createReadMarker, markIntervalFor } from './read-marker';

/** How long a notification for a message on screen is shown before the mark reads it. */
const NOTIFIED_MARK_DELAY_MS = 1000;

export function useReadMarker(room: ChatRoom, me: string | null) {
  const client = useApolloClient();
  /** The latest caller's callback, told the server's marker. */
  let onMarked: ((marker: string) => void) | null = null;
  /** The newest message seen arriving that notifies the reader (a mention): marked without waiting. */
  let notifiedAt: string | null = null;
  /** The newest marker told to the caller. */
  let told = room.lastReadSeq ?? '0';
  const marker = createReadMarker({
    known: room.lastReadSeq ?? '0',
    intervalMs: markIntervalFor(room.kind),
    send: async (seq) => {
      const { data } = await client.mutate({ mutation: MARK_ROOM_READ, variables: { roomId: room.id, seq } });
      if (!data) throw new Error('markRoomRead: no answer');
      return data.markRoomRead;
    },
    onMarked: (m) => {
      if (compareSeq(m, told) > 0) onMarked?.((told = m));
    },
  });

  const onHidden = () => document.visibilityState === 'hidden' && marker.flush();
  const onPageHide = () => marker.flush();
  document.addEventListener('visibilitychange', onHidden);
  window.addEventListener('pagehide', onPageHide);
  onScopeDispose(() => {
    document.removeEventListener('visibilitychange', onHidden);
    window.removeEventListener('pagehide', onPageHide);
    marker.dispose();
  });

  return {
    /** Everything up to `seq` is on screen; `done` is told the marker as it moves (at once, then the server's). */
    markRead(seq: string, done: (marker: string) => void): void {
      if (!me) return;
      onMarked = done;
      // The reader's own views (the room list's badge) count it read at once; the server follows within the interval.
      if (compareSeq(seq, told) > 0) done((told = seq));
      marker.mark(seq);
      if (notifiedAt !== null && compareSeq(seq, notifiedAt) >= 0) {
        notifiedAt = null;
        marker.flush(NOTIFIED_MARK_DELAY_MS);
      }
    },
    /** A message arrived that notifies the reader: once it is seen, the mark goes without waiting for the interval. */
    notifies: (seq: string) => void (notifiedAt = seq),
    /** The server moved the marker itself (the reader posted, or read in another tab). */
    serverHas: (seq: string) => marker.serverHas(seq),
  };
}
