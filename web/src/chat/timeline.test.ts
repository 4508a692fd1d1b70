import { describe, expect, it } from 'vitest';
import {
  addPage,
  addPending,
  applyEvent,
  emptyTimeline,
  groupForDisplay,
  lastSeq,
  markPending,
  removePending,
  unreadMarkerIndex,
  type PendingMessage,
  type TimelineState,
} from './timeline';
import type { RoomEventType } from '../gql/graphql';
import type { ChatMessage, RoomEvent } from './types';

const ana = { id: 'u-ana', name: 'Ana', picture: null, bot: false };
const ben = { id: 'u-ben', name: 'Ben', picture: null, bot: false };

function msg(seq: number, over: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id: `m${seq}`,
    roomId: 'r1',
    seq: String(seq),
    kind: 'TEXT',
    author: ana,
    body: `message ${seq}`,
    language: null,
    replyTo: null,
    mentions: [],
    reactions: [],
    createdAt: new Date(2024, 0, 15, 10, seq).toISOString(),
    editedAt: null,
    deleted: false,
    deletedBy: null,
    clientId: null,
    ...over,
  };
}

function ev(type: RoomEventType, message: ChatMessage | null): RoomEvent {
  return {
    cursor: message?.seq ?? null,
    type,
    message,
    userId: null,
    userName: null,
    typing: null,
    readSeq: null,
    expiresAt: null,
    tutor: null,
  };
}

function pendingItem(clientId: string, over: Partial<PendingMessage> = {}): PendingMessage {
  return {
    clientId,
    kind: 'TEXT',
    body: `pending ${clientId}`,
    language: null,
    replyToId: null,
    createdAt: new Date().toISOString(),
    status: 'sending',
    error: null,
    ...over,
  };
}

const seqs = (s: TimelineState) => s.messages.map((m) => m.seq);

describe('addPage', () => {
  it('loads a first page and records whether older history remains', () => {
    const s = addPage(emptyTimeline(), [msg(3), msg(4)], { older: true, hasMore: true });
    expect(seqs(s)).toEqual(['3', '4']);
    expect(s.hasMoreOlder).toBe(true);
    expect(addPage(s, [msg(1), msg(2)], { older: true, hasMore: false }).hasMoreOlder).toBe(false);
  });

  it('merges older and newer pages in seq order, numerically', () => {
    let s = addPage(emptyTimeline(), [msg(9), msg(10)], { older: true, hasMore: true });
    s = addPage(s, [msg(7), msg(8)], { older: true, hasMore: true });
    s = addPage(s, [msg(11), msg(12)], { older: false, hasMore: true });
    expect(seqs(s)).toEqual(['7', '8', '9', '10', '11', '12']);
    expect(s.hasMoreNewer).toBe(true);
    expect(s.hasMoreOlder).toBe(true);
  });

  it('sorts a page that arrives unsorted', () => {
    expect(seqs(addPage(emptyTimeline(), [msg(12), msg(2), msg(100)], { older: true, hasMore: false }))).toEqual(['2', '12', '100']);
  });

  it('deduplicates a page that overlaps live events', () => {
    let s = addPage(emptyTimeline(), [msg(1), msg(2)], { older: true, hasMore: false });
    s = applyEvent(s, ev('MESSAGE_ADDED', msg(5)));
    s = applyEvent(s, ev('MESSAGE_ADDED', msg(6)));
    // Catching up on what was missed before the subscription started, overlapping it.
    s = addPage(s, [msg(3), msg(4), msg(5), msg(6)], { older: false, hasMore: false });
    expect(seqs(s)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(new Set(s.messages.map((m) => m.id)).size).toBe(6);
  });

  it('keeps an edit or deletion received live over a stale page copy', () => {
    const edited = msg(2, { body: 'edited', editedAt: new Date(2024, 0, 15, 11).toISOString() });
    let s = addPage(emptyTimeline(), [msg(1), msg(2), msg(3)], { older: true, hasMore: false });
    s = applyEvent(s, ev('MESSAGE_EDITED', edited));
    s = applyEvent(s, ev('MESSAGE_DELETED', msg(3, { deleted: true, deletedBy: 'AUTHOR', body: '' })));
    s = addPage(s, [msg(1), msg(2), msg(3)], { older: true, hasMore: false });
    expect(s.messages[1]!.body).toBe('edited');
    expect(s.messages[2]!.deleted).toBe(true);
  });

  it('takes a newer edit from a page', () => {
    let s = addPage(emptyTimeline(), [msg(1)], { older: true, hasMore: false });
    s = addPage(s, [msg(1, { body: 'later', editedAt: new Date(2024, 0, 16).toISOString() })], { older: false, hasMore: false });
    expect(s.messages[0]!.body).toBe('later');
  });

  it('removes pending messages the page acknowledges', () => {
    let s = addPending(emptyTimeline(), pendingItem('c1'));
    s = addPending(s, pendingItem('c2'));
    s = addPage(s, [msg(1, { clientId: 'c1' })], { older: false, hasMore: false });
    expect(s.pending.map((p) => p.clientId)).toEqual(['c2']);
  });

  it('does not mutate the previous state', () => {
    const before = addPage(emptyTimeline(), [msg(2)], { older: true, hasMore: true });
    const snapshot = JSON.stringify(before);
    const after = addPage(before, [msg(1)], { older: true, hasMore: false });
    expect(JSON.stringify(before)).toBe(snapshot);
    expect(after).not.toBe(before);
    expect(after.messages).not.toBe(before.messages);
  });
});

describe('applyEvent', () => {
  const base = () => addPage(emptyTimeline(), [msg(1), msg(2)], { older: true, hasMore: false });

  it('appends a new message', () => {
    expect(seqs(applyEvent(base(), ev('MESSAGE_ADDED', msg(3))))).toEqual(['1', '2', '3']);
  });

  it('inserts an out-of-order message in seq order', () => {
    let s = applyEvent(base(), ev('MESSAGE_ADDED', msg(5)));
    s = applyEvent(s, ev('MESSAGE_ADDED', msg(3)));
    s = applyEvent(s, ev('MESSAGE_ADDED', msg(4)));
    s = applyEvent(s, ev('MESSAGE_ADDED', msg(10)));
    expect(seqs(s)).toEqual(['1', '2', '3', '4', '5', '10']);
  });

  it('ignores a duplicate by id or by seq, returning the same state', () => {
    const s = applyEvent(base(), ev('MESSAGE_ADDED', msg(3)));
    expect(applyEvent(s, ev('MESSAGE_ADDED', msg(3)))).toBe(s);
    expect(applyEvent(s, ev('MESSAGE_ADDED', msg(3, { id: 'other' })))).toBe(s);
    expect(applyEvent(s, ev('MESSAGE_ADDED', msg(9, { id: 'm2' })))).toBe(s);
  });

  it('acknowledges the pending message with the same clientId', () => {
    let s = addPending(base(), pendingItem('c1'));
    s = addPending(s, pendingItem('c2'));
    s = applyEvent(s, ev('MESSAGE_ADDED', msg(3, { clientId: 'c2' })));
    expect(s.pending.map((p) => p.clientId)).toEqual(['c1']);
    expect(seqs(s)).toEqual(['1', '2', '3']);
    // The same message again (e.g. replayed after a resume) changes nothing.
    expect(applyEvent(s, ev('MESSAGE_ADDED', msg(3, { clientId: 'c2' })))).toBe(s);
  });

  it('replaces edited, deleted and reaction-changed messages by id', () => {
    let s = base();
    s = applyEvent(s, ev('MESSAGE_EDITED', msg(1, { body: 'fixed', editedAt: new Date().toISOString() })));
    s = applyEvent(s, ev('MESSAGE_DELETED', msg(2, { deleted: true, deletedBy: 'MODERATOR', body: '' })));
    expect(s.messages[0]!.body).toBe('fixed');
    expect(s.messages[1]!.deletedBy).toBe('MODERATOR');
    s = applyEvent(s, ev('REACTIONS_CHANGED', msg(1, { body: 'fixed', reactions: [{ emoji: '👍', count: 1, userIds: ['u-ben'] }] })));
    expect(s.messages[0]!.reactions).toHaveLength(1);
  });

  it('updates the quotes of replies when the original is edited or deleted, loaded or not', () => {
    const quote = (of: number, excerpt: string) => ({ id: `m${of}`, authorName: 'Ana', excerpt, deleted: false });
    let s = addPage(
      emptyTimeline(),
      [msg(1), msg(2, { replyTo: quote(1, 'message 1') }), msg(3, { replyTo: quote(0, 'older one') }), msg(4)],
      { older: true, hasMore: false },
    );
    const untouched = s.messages[3];
    s = applyEvent(s, ev('MESSAGE_EDITED', msg(1, { body: 'message 1,\n  now  fixed', editedAt: new Date().toISOString() })));
    expect(s.messages[1]!.replyTo).toEqual(quote(1, 'message 1, now fixed'));
    // The original of the third is not loaded: its edit still reaches the quote.
    s = applyEvent(s, ev('MESSAGE_EDITED', msg(0, { body: 'x'.repeat(200), editedAt: new Date().toISOString() })));
    expect(s.messages[2]!.replyTo!.excerpt).toBe(`${'x'.repeat(139)}…`);
    s = applyEvent(s, ev('MESSAGE_DELETED', msg(1, { deleted: true, deletedBy: 'AUTHOR', body: '' })));
    expect(s.messages[1]!.replyTo).toEqual({ ...quote(1, ''), deleted: true });
    expect(s.messages[3]).toBe(untouched);
  });

  it('ignores changes to a message it does not hold', () => {
    const s = base();
    for (const type of ['MESSAGE_EDITED', 'MESSAGE_DELETED', 'REACTIONS_CHANGED'] as const) {
      expect(applyEvent(s, ev(type, msg(42)))).toBe(s);
    }
  });

  it('ignores events that are not about messages', () => {
    const s = base();
    for (const type of ['ROOM_UPDATED', 'MEMBERS_CHANGED', 'TYPING', 'READ'] as const) expect(applyEvent(s, ev(type, null))).toBe(s);
    expect(applyEvent(s, ev('MESSAGE_ADDED', null))).toBe(s);
  });

  it('keeps the other message objects shared', () => {
    const s = base();
    const t = applyEvent(s, ev('MESSAGE_EDITED', msg(2, { body: 'x' })));
    expect(t.messages[0]).toBe(s.messages[0]);
    expect(s.messages[1]!.body).toBe('message 2');
  });
});

describe('pending', () => {
  it('keeps send order and upserts by clientId', () => {
    let s = addPending(emptyTimeline(), pendingItem('a'));
    s = addPending(s, pendingItem('b'));
    s = addPending(s, pendingItem('a', { body: 'changed' }));
    expect(s.pending.map((p) => [p.clientId, p.body])).toEqual([
      ['a', 'changed'],
      ['b', 'pending b'],
    ]);
  });

  it('ignores a pending message already acknowledged', () => {
    const s = addPage(emptyTimeline(), [msg(1, { clientId: 'a' })], { older: true, hasMore: false });
    expect(addPending(s, pendingItem('a'))).toBe(s);
  });

  it('marks status and error, and clears the error', () => {
    let s = addPending(emptyTimeline(), pendingItem('a'));
    s = markPending(s, 'a', 'failed', 'Message too long');
    expect(s.pending[0]).toMatchObject({ status: 'failed', error: 'Message too long' });
    s = markPending(s, 'a', 'queued');
    expect(s.pending[0]).toMatchObject({ status: 'queued', error: null });
    expect(markPending(s, 'nope', 'failed')).toBe(s);
  });

  it('removes by clientId', () => {
    let s = addPending(emptyTimeline(), pendingItem('a'));
    s = addPending(s, pendingItem('b'));
    expect(removePending(s, 'a').pending.map((p) => p.clientId)).toEqual(['b']);
    expect(removePending(s, 'zzz')).toBe(s);
  });
});

describe('lastSeq', () => {
  it('is null when empty and the highest seq otherwise', () => {
    expect(lastSeq(emptyTimeline())).toBeNull();
    let s = addPage(emptyTimeline(), [msg(9), msg(10)], { older: true, hasMore: false });
    s = applyEvent(s, ev('MESSAGE_ADDED', msg(8, { id: 'late' })));
    expect(lastSeq(s)).toBe('10');
  });

  it('ignores pending messages', () => {
    const s = addPending(addPage(emptyTimeline(), [msg(1)], { older: true, hasMore: false }), pendingItem('c'));
    expect(lastSeq(s)).toBe('1');
  });
});

describe('unreadMarkerIndex', () => {
  const s = addPage(
    emptyTimeline(),
    [
      msg(1, { author: ben }),
      msg(2, { author: ana }),
      msg(3, { author: ana }),
      msg(4, { author: ben }),
      msg(5, { author: null, kind: 'SYSTEM' }),
    ],
    {
      older: true,
      hasMore: false,
    },
  );

  it('points at the first message after the marker not written by me', () => {
    expect(unreadMarkerIndex(s, '1', ana.id)).toBe(3);
    expect(unreadMarkerIndex(s, '1', ben.id)).toBe(1);
    expect(unreadMarkerIndex(s, '4', ana.id)).toBe(4); // a system message counts
  });

  it('is -1 when everything was read or only I wrote since', () => {
    expect(unreadMarkerIndex(s, '5', ana.id)).toBe(-1);
    const mine = addPage(emptyTimeline(), [msg(1, { author: ben }), msg(2)], { older: true, hasMore: false });
    expect(unreadMarkerIndex(mine, '1', ana.id)).toBe(-1);
  });

  it('treats a null marker as nothing read', () => {
    expect(unreadMarkerIndex(s, null, ana.id)).toBe(0);
    expect(unreadMarkerIndex(emptyTimeline(), null, ana.id)).toBe(-1);
  });

  it('compares seqs as numbers', () => {
    const t = addPage(emptyTimeline(), [msg(9, { author: ben }), msg(10, { author: ben })], { older: true, hasMore: false });
    expect(unreadMarkerIndex(t, '9', ana.id)).toBe(1);
  });
});

describe('groupForDisplay', () => {
  const now = new Date(2024, 0, 15, 18, 0);
  const at = (day: number, h: number, m: number) => new Date(2024, 0, day, h, m).toISOString();

  it('puts day separators: a date, Yesterday, Today', () => {
    const rows = groupForDisplay(
      [
        msg(1, { createdAt: at(10, 9, 0) }),
        msg(2, { createdAt: at(14, 23, 59) }),
        msg(3, { createdAt: at(15, 0, 0) }),
        msg(4, { createdAt: at(15, 9, 0) }),
      ],
      {
        now,
        locale: 'en-US',
      },
    );
    expect(rows.map((r) => (r.type === 'day' ? r.label : r.key))).toEqual([
      'Wednesday, January 10',
      'm1',
      'Yesterday',
      'm2',
      'Today',
      'm3',
      'm4',
    ]);
    expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
  });

  it('adds the year for another year', () => {
    const rows = groupForDisplay([msg(1, { createdAt: new Date(2023, 11, 31, 12).toISOString() })], { now, locale: 'en-US' });
    expect(rows[0]).toMatchObject({ type: 'day', label: 'Sunday, December 31, 2023' });
  });

  it('marks compact the same author within 5 minutes of the previous message', () => {
    const rows = groupForDisplay(
      [
        msg(1, { createdAt: at(15, 10, 0) }),
        msg(2, { createdAt: at(15, 10, 4) }), // compact
        msg(3, { createdAt: at(15, 10, 8) }), // compact: 4 min after the previous one
        msg(4, { createdAt: at(15, 10, 14) }), // 6 minutes later: new group
        msg(5, { createdAt: at(15, 10, 15), author: ben }), // another author
        msg(6, { createdAt: at(15, 10, 16), author: null, kind: 'SYSTEM' }),
        msg(7, { createdAt: at(15, 10, 17), author: ben }), // after a system message
      ],
      { now },
    );
    const compact = rows.flatMap((r) => (r.type === 'message' ? [[r.key, r.compact]] : []));
    expect(compact).toEqual([
      ['m1', false],
      ['m2', true],
      ['m3', true],
      ['m4', false],
      ['m5', false],
      ['m6', false],
      ['m7', false],
    ]);
  });

  it('starts a new group on a new day', () => {
    const rows = groupForDisplay([msg(1, { createdAt: at(14, 23, 58) }), msg(2, { createdAt: at(15, 0, 1) })], { now });
    expect(rows.map((r) => r.type)).toEqual(['day', 'message', 'day', 'message']);
    expect(rows[3]).toMatchObject({ compact: false });
  });

  it('returns nothing for no messages', () => {
    expect(groupForDisplay([], { now })).toEqual([]);
  });
});
