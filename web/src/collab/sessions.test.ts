import { describe, expect, it } from 'vitest';
import type { CollabSessionSummary } from '../graphql/collab';
import { activityParam, applySessionEvent, loadedSessions, sortedSessions, upsertSession, type CollabSessionListEvent } from './sessions';

const session = (id: string, createdAt: string, updatedAt = createdAt, title = id) =>
  ({ id, createdAt, updatedAt, title }) as CollabSessionSummary;

describe('collab session list', () => {
  it('follows the course stream: created and updated replace, deleted removes, an older view is ignored', () => {
    let list = loadedSessions([session('a', '2025-01-01T10:00:00Z')]);
    const ev = (type: string, s: CollabSessionSummary | null, sessionId = s?.id ?? 'a'): CollabSessionListEvent => ({
      __typename: 'CourseCollabSessionEvent',
      cursor: '1',
      type,
      sessionId,
      session: s,
    });
    list = applySessionEvent(list, ev('session.created', session('b', '2025-01-02T10:00:00Z')));
    expect(sortedSessions(list).map((s) => s.id)).toEqual(['b', 'a']);
    list = applySessionEvent(list, ev('session.updated', session('a', '2025-01-01T10:00:00Z', '2025-01-03T10:00:00Z', 'renamed')));
    expect(list.get('a')?.title).toBe('renamed');
    // The replay of an event older than what the load read changes nothing.
    expect(upsertSession(list, session('a', '2025-01-01T10:00:00Z'))).toBe(list);
    // No longer visible to the viewer (made private): gone from the list.
    list = applySessionEvent(list, ev('session.updated', null, 'b'));
    expect([...list.keys()]).toEqual(['a']);
    list = applySessionEvent(list, ev('session.deleted', null, 'a'));
    expect(list.size).toBe(0);
  });

  it('reads the launch activity from the query', () => {
    expect(activityParam('act-1')).toBe('act-1');
    expect(activityParam(['act-2'])).toBe('act-2');
    expect(activityParam('')).toBeNull();
    expect(activityParam(undefined)).toBeNull();
  });
});
