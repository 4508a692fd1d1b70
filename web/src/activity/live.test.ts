import { describe, expect, it } from 'vitest';
import { applyActivityEvent, appendOlder, describeActivity, emptyActivity, HELD, loadedActivity } from './live';
import type { ActivityItem } from '../graphql/activity';

const item = (id: string, type = 'member.joined', data: Record<string, unknown> = {}): ActivityItem => ({
  __typename: 'CourseActivityEntry',
  id,
  type,
  actorId: 'u1',
  actorName: 'Ana',
  data,
  createdAt: '2026-12-06T10:00:00.000Z',
});
const page = (ids: string[], next: string | null) => ({
  courseActivityEntries: {
    __typename: 'CourseActivityEntryConnection' as const,
    cursor: '7',
    pageInfo: { __typename: 'PageInfo' as const, hasNextPage: next !== null, endCursor: next },
    edges: ids.map((id) => ({ __typename: 'CourseActivityEntryEdge' as const, node: item(id) })),
  },
});

describe('activity list', () => {
  it('loads, then puts live entries first, once', () => {
    const loaded = loadedActivity(page(['b', 'a'], 'c1'));
    expect(loaded.cursor).toBe('7');
    expect(loaded.state.olderCursor).toBe('c1');
    const ev = { __typename: 'CourseActivityFeedEvent' as const, cursor: '8', entry: item('c') };
    const once = applyActivityEvent(loaded.state, ev);
    expect(once.items.map((i) => i.id)).toEqual(['c', 'b', 'a']);
    // A replay of what the list holds changes nothing.
    expect(applyActivityEvent(once, ev)).toBe(once);
  });

  it('appends older pages without duplicates, and keeps at most HELD live', () => {
    const list = appendOlder(loadedActivity(page(['c', 'b'], 'x')).state, page(['b', 'a'], null));
    expect(list.items.map((i) => i.id)).toEqual(['c', 'b', 'a']);
    expect(list.olderCursor).toBeNull();
    let big = emptyActivity();
    for (let i = 0; i < HELD + 5; i++)
      big = applyActivityEvent(big, { __typename: 'CourseActivityFeedEvent', cursor: String(i), entry: item(`e${i}`) });
    expect(big.items.length).toBe(HELD);
    expect(big.items[0]!.id).toBe(`e${HELD + 4}`);
  });

  it('says what happened', () => {
    const when = (iso: string) => iso.slice(11, 16);
    expect(describeActivity(item('1'), when)).toBe('Ana joined the course');
    expect(describeActivity(item('2', 'messages.hourly', { count: 1, from: '2026-12-06T09:00:00.000Z' }), when)).toBe(
      "1 message in the course's rooms in the hour from 09:00",
    );
    expect(
      describeActivity(item('3', 'session.cancelled', { title: 'Lab', startsAt: '2026-12-07T14:00:00.000Z', occurrences: 3 }), when),
    ).toBe('Ana cancelled “Lab” (14:00) and 2 more occurrences');
    expect(describeActivity(item('4', 'live.started', { title: 'Week 3' }), when)).toBe('Ana started the live class “Week 3”');
    expect(describeActivity(item('5', 'live.ended', {}), when)).toBe('Ana ended the live class');
  });
});
