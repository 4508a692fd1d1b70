import { describe, expect, it } from 'vitest';
import type { ChatActivity, ChatRoom } from '../graphql/chat';
import { applyActivity, markOpenRead, sortRooms, totalUnread } from './room-list';

const room = (id: string, over: Partial<ChatRoom> = {}): ChatRoom => ({
  id,
  courseId: 'c',
  kind: 'GROUP',
  name: id,
  topic: null,
  peer: null,
  archived: false,
  lastMessageAt: null,
  lastSeq: '0',
  lastReadSeq: '0',
  unreadCount: 0,
  muted: false,
  canPost: true,
  postRefusal: null,
  canModerate: false,
  ...over,
});
const msg = (roomId: string, seq: string, author: string | null, kind: 'TEXT' | 'SYSTEM' = 'TEXT', at = '2026-11-23T10:00:00Z'): ChatActivity => ({
  type: 'MESSAGE',
  roomId,
  readSeq: null,
  message: { id: `m${seq}`, seq, kind, author: author ? { id: author } : null, createdAt: at },
});

describe('room list', () => {
  it('counts messages by others in rooms not on screen, once each', () => {
    let rooms = [room('course', { kind: 'COURSE' }), room('g')];
    rooms = applyActivity(rooms, msg('g', '1', 'ana'), 'me', null);
    rooms = applyActivity(rooms, msg('g', '1', 'ana'), 'me', null); // duplicate
    rooms = applyActivity(rooms, msg('g', '2', 'ana'), 'me', null);
    expect(rooms.find((r) => r.id === 'g')!.unreadCount).toBe(2);
    expect(totalUnread(rooms)).toBe(2);
  });
  it('a replay from the list cursor counts only what the loaded list does not reflect (seq after its lastSeq)', () => {
    const loaded = [room('g', { lastSeq: '5', lastReadSeq: '3', unreadCount: 2 })];
    // The list was read after messages 4 and 5 were committed: their replay changes nothing.
    const replayed = applyActivity(applyActivity(loaded, msg('g', '4', 'ana'), 'me', null), msg('g', '5', 'ana'), 'me', null);
    expect(replayed).toBe(loaded);
    expect(applyActivity(replayed, msg('g', '6', 'ana'), 'me', null)[0]!.unreadCount).toBe(3);
  });
  it('does not count my own messages, system messages, or the open room; my message reads the room', () => {
    let rooms = [room('g', { unreadCount: 3, lastSeq: '3' })];
    rooms = applyActivity(rooms, msg('g', '4', 'ana', 'SYSTEM'), 'me', null);
    expect(rooms[0]!.unreadCount).toBe(3);
    rooms = applyActivity(rooms, msg('g', '5', 'me'), 'me', null);
    expect(rooms[0]).toMatchObject({ unreadCount: 0, lastReadSeq: '5' });
    rooms = applyActivity(rooms, msg('g', '6', 'ana'), 'me', 'g');
    expect(rooms[0]!.unreadCount).toBe(0);
  });
  it('a read in another tab clears the count when it reaches the latest message, and never goes back', () => {
    let rooms = [room('g', { unreadCount: 2, lastSeq: '9', lastReadSeq: '7' })];
    rooms = applyActivity(rooms, { type: 'READ', roomId: 'g', readSeq: '9', message: null }, 'me', null);
    expect(rooms[0]).toMatchObject({ unreadCount: 0, lastReadSeq: '9' });
    rooms = applyActivity(rooms, { type: 'READ', roomId: 'g', readSeq: '3', message: null }, 'me', null);
    expect(rooms[0]!.lastReadSeq).toBe('9');
  });
  it('orders the course room first, then the latest activity, archived last', () => {
    const sorted = sortRooms([
      room('old', { lastMessageAt: '2026-11-01T00:00:00Z' }),
      room('arch', { archived: true, lastMessageAt: '2026-11-22T00:00:00Z' }),
      room('course', { kind: 'COURSE' }),
      room('new', { lastMessageAt: '2026-11-20T00:00:00Z' }),
    ]);
    expect(sorted.map((r) => r.id)).toEqual(['course', 'new', 'old', 'arch']);
    const moved = applyActivity(sorted, msg('old', '1', 'ana', 'TEXT', '2026-11-23T00:00:00Z'), 'me', null);
    expect(moved.map((r) => r.id)).toEqual(['course', 'old', 'new', 'arch']);
  });
  it('ignores unknown rooms and marks the open room read', () => {
    const rooms = [room('g', { unreadCount: 4, lastSeq: '8' })];
    expect(applyActivity(rooms, msg('x', '1', 'ana'), 'me', null)).toBe(rooms);
    expect(markOpenRead(rooms, 'g', '8')[0]).toMatchObject({ unreadCount: 0, lastReadSeq: '8' });
  });
});
