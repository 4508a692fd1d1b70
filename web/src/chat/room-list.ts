/**
 * The room list's live state as a pure reducer: unread counts, order and the pinned announcement follow the chat
 * activity feed; and the unread signal the course's tabs show, made from it.
 */
import type { ChatActivity, ChatRoom } from '../graphql/chat';

const seqOf = (s: string | null | undefined) => (s ? Number(s) : 0);

/** Course room first, then by latest message (rooms without messages last), archived at the end. */
export function sortRooms(rooms: ChatRoom[]): ChatRoom[] {
  const rank = (r: ChatRoom) => (r.kind === 'COURSE' ? 0 : r.archived ? 2 : 1);
  return [...rooms].sort(
    (a, b) => rank(a) - rank(b) || (b.lastMessageAt ?? '').localeCompare(a.lastMessageAt ?? '') || a.name.localeCompare(b.name),
  );
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
  } else if (a.type === 'ANNOUNCEMENT') {
    next = { ...room, announcement: a.announcement ?? null };
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
  return rooms.map((r) =>
    r.id === roomId ? { ...r, unreadCount: 0, lastReadSeq: seqOf(seq) > seqOf(r.lastReadSeq) ? seq : r.lastReadSeq } : r,
  );
}

/**
 * A room read by more people than this (a lecture's course room) shows its unread messages as a dot, not a count:
 * in a busy room a number says nothing more than "something new", and what concerns the reader (mentions, replies,
 * announcements) comes to the bell.
 */
export const LARGE_ROOM = 50;

/** An unread signal: a count, or (when nothing countable is unread) a dot for activity in large rooms. */
export interface UnreadBadge {
  count: number;
  dot: boolean;
}

export function unreadBadge(rooms: readonly ChatRoom[]): UnreadBadge {
  let count = 0;
  let large = false;
  for (const r of rooms) {
    if (r.unreadCount <= 0) continue;
    if (r.memberCount > LARGE_ROOM) large = true;
    else count += r.unreadCount;
  }
  return { count, dot: large && count === 0 };
}

/** The course's tabs: Chat for every room but the tutor's, AI tutor for the viewer's tutor room. */
export function sectionBadges(rooms: readonly ChatRoom[]): { chat: UnreadBadge; tutor: UnreadBadge } {
  return { chat: unreadBadge(rooms.filter((r) => r.kind !== 'TUTOR')), tutor: unreadBadge(rooms.filter((r) => r.kind === 'TUTOR')) };
}
