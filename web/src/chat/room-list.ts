/** The room list's live state as a pure reducer: unread counts and order follow the chat activity feed. */
import type { ChatActivity, ChatRoom } from '../graphql/chat';

const seqOf = (s: string | null | undefined) => (s ? Number(s) : 0);

/** Course room first, then by latest message (rooms without messages last), archived at the end. */
export function sortRooms(rooms: ChatRoom[]): ChatRoom[] {
  const rank = (r: ChatRoom) => (r.kind === 'COURSE' ? 0 : r.archived ? 2 : 1);
  return [...rooms].sort((a, b) => rank(a) - rank(b) || (b.lastMessageAt ?? '').localeCompare(a.lastMessageAt ?? '') || a.name.localeCompare(b.name));
}

/**
 * Applies one activity. `me` is the viewer; `openRoomId` is the room on screen and read as it arrives, so
 * its new messages do not count as unread.
 */
export function applyActivity(rooms: ChatRoom[], a: ChatActivity, me: string | null, openRoomId: string | null): ChatRoom[] {
  const i = rooms.findIndex((r) => r.id === a.roomId);
  if (i < 0) return rooms;
  const room = rooms[i]!;
  let next: ChatRoom = room;
  if (a.type === 'MESSAGE' && a.message) {
    const m = a.message;
    if (seqOf(m.seq) <= seqOf(room.lastSeq) && room.lastSeq !== '0') return rooms; // seen already
    const counts = m.kind !== 'SYSTEM' && m.author?.id !== me && a.roomId !== openRoomId && seqOf(m.seq) > seqOf(room.lastReadSeq);
    next = {
      ...room,
      lastSeq: m.seq,
      lastMessageAt: m.kind === 'SYSTEM' ? room.lastMessageAt : m.createdAt,
      unreadCount: counts ? room.unreadCount + 1 : room.unreadCount,
      // My own message reads everything before it.
      lastReadSeq: m.author?.id === me ? m.seq : room.lastReadSeq,
    };
    if (m.author?.id === me) next = { ...next, unreadCount: 0 };
  } else if (a.type === 'READ' && a.readSeq) {
    if (seqOf(a.readSeq) < seqOf(room.lastReadSeq)) return rooms;
    // Messages after the new marker may remain; the list is refetched when exactness matters.
    next = { ...room, lastReadSeq: a.readSeq, unreadCount: seqOf(a.readSeq) >= seqOf(room.lastSeq) ? 0 : room.unreadCount };
  } else return rooms;
  const out = [...rooms];
  out[i] = next;
  return sortRooms(out);
}

/** Marks a room read up to its latest message (the viewer has it on screen). */
export function markOpenRead(rooms: ChatRoom[], roomId: string, seq: string): ChatRoom[] {
  return rooms.map((r) => (r.id === roomId ? { ...r, unreadCount: 0, lastReadSeq: seqOf(seq) > seqOf(r.lastReadSeq) ? seq : r.lastReadSeq } : r));
}

export function totalUnread(rooms: ChatRoom[]): number {
  return rooms.reduce((n, r) => n + r.unreadCount, 0);
}
