import { describe, expect, it } from 'vitest';
import type { ChatActivity, ChatRoom } from '../graphql/chat';
import { applyActivity, LARGE_ROOM, markOpenRead, sectionBadges, sortRooms, unreadBadge } from './room-list';

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
  canAnnounce: false,
  memberCount: 3,
  announcement: null,
  ...over,
});
const msg = (
  roomId: string,
  seq: string,
  author: string | null,
  kind: 'TEXT' | 'SYSTEM' = 'TEXT',
  at = '2026-11-23T10:00:00Z',
): ChatActivity => ({
  type: 'MESSAGE',
  roomId,
  readSeq: null,
  announcement: null,
  message: { id: `m${seq}`, seq, kind, author: author ? { id: author } : null, createdAt: at },
});

describe('room list', () => {
  it('counts messages by others in rooms not on screen, once each', () => {
    let rooms = [room('course', { kind: 'COURSE' }), room('g')];
    rooms = applyActivity(rooms, msg('g', '1', 'ana'), 'me', null);
    rooms = applyActivity(rooms, msg('g', '1', 'ana'), 'me', null); // duplicate
    rooms = applyActivity(rooms, msg('g', '2', 'ana'), 'me', null);
    expect(rooms.find((r) => r.id === 'g')!.unreadCount).toBe(2);
    expect(unreadBadge(rooms).count).toBe(2);
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
    rooms = applyActivity(rooms, { type: 'READ', roomId: 'g', readSeq: '9', message: null, announcement: null }, 'me', null);
    expect(rooms[0]).toMatchObject({ unreadCount: 0, lastReadSeq: '9' });
    rooms = applyActivity(rooms, { type: 'READ', roomId: 'g', readSeq: '3', message: null, announcement: null }, 'me', null);
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

  it('an announcement activity puts the pinned message on its room, and takes it off', () => {
    const pinned = {
      pinnedAt: '2026-11-23T10:00:00Z',
      pinnedBy: { id: 'ada', name: 'Ada' },
      message: {
        id: 'm1',
        seq: '1',
        kind: 'TEXT' as const,
        body: 'Quiz moved',
        language: null,
        author: { id: 'ada', name: 'Ada' },
        mentions: [],
        createdAt: '2026-11-23T10:00:00Z',
        editedAt: null,
      },
    };
    let rooms = [room('course', { kind: 'COURSE' }), room('g')];
    rooms = applyActivity(
      rooms,
      { type: 'ANNOUNCEMENT', roomId: 'course', readSeq: null, message: null, announcement: pinned },
      'me',
      null,
    );
    expect(rooms.find((r) => r.id === 'course')!.announcement).toEqual(pinned);
    expect(rooms.find((r) => r.id === 'g')!.announcement).toBeNull();
    rooms = applyActivity(rooms, { type: 'ANNOUNCEMENT', roomId: 'course', readSeq: null, message: null, announcement: null }, 'me', null);
    expect(rooms.find((r) => r.id === 'course')!.announcement).toBeNull();
  });
  it("the tabs' badges: a count over ordinary rooms, a dot when only large rooms have news, the tutor room on its own tab", () => {
    const lecture = room('course', { kind: 'COURSE', memberCount: LARGE_ROOM + 1 });
    expect(unreadBadge([])).toEqual({ count: 0, dot: false });
    expect(unreadBadge([{ ...lecture, unreadCount: 40 }])).toEqual({ count: 0, dot: true });
    expect(
      unreadBadge([
        { ...lecture, unreadCount: 40 },
        room('dm', { kind: 'DIRECT', memberCount: 2, unreadCount: 2 }),
        room('g', { unreadCount: 1 }),
      ]),
    ).toEqual({ count: 3, dot: false });
    expect(unreadBadge([room('small', { kind: 'COURSE', memberCount: LARGE_ROOM, unreadCount: 4 })])).toEqual({ count: 4, dot: false });
    const rooms = [room('course', { kind: 'COURSE', unreadCount: 2 }), room('t', { kind: 'TUTOR', memberCount: 1, unreadCount: 1 })];
    expect(sectionBadges(rooms)).toEqual({ chat: { count: 2, dot: false }, tutor: { count: 1, dot: false } });
  });
});
