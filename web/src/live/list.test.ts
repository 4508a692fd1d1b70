import { describe, expect, it } from 'vitest';
import type { LiveClassSummaryFieldsFragment } from '../gql/graphql';
import { applyListEvent, groupClasses, loadedList, upsertClass, type LiveClassListEvent } from './list';

const c = (
  id: string,
  state: LiveClassSummaryFieldsFragment['state'],
  startsAt: string,
  over: Partial<LiveClassSummaryFieldsFragment> = {},
) => ({
  __typename: 'LiveClass' as const,
  id,
  courseId: 'k1',
  title: id,
  description: '',
  startsAt,
  endsAt: startsAt.replace('T10', 'T11'),
  state,
  startedAt: state === 'SCHEDULED' ? null : startsAt,
  endedAt: state === 'ENDED' ? startsAt.replace('T10', 'T11') : null,
  maxParticipants: null,
  participantCount: 0,
  provider: 'LINK' as const,
  recordingUrl: null,
  canHost: false,
  joined: false,
  ...over,
});

const ev = (classId: string, liveClass: LiveClassSummaryFieldsFragment | null): LiveClassListEvent => ({
  __typename: 'CourseLiveClassEvent',
  cursor: '9',
  type: liveClass ? 'class.updated' : 'class.deleted',
  classId,
  liveClass,
});

describe('the Live class tab list', () => {
  it('upserts a class from its event, removes a deleted one, and never moves a class back to an earlier state', () => {
    let list = loadedList([c('a', 'SCHEDULED', '2026-05-04T10:00:00Z')]);
    const live = c('a', 'LIVE', '2026-05-04T10:00:00Z');
    list = applyListEvent(list, ev('a', live));
    expect(applyListEvent(list, ev('a', live))).toEqual(list);
    expect(list.get('a')!.state).toBe('LIVE');
    expect(upsertClass(list, c('a', 'SCHEDULED', '2026-05-04T10:00:00Z'))).toBe(list);
    list = applyListEvent(list, ev('b', c('b', 'SCHEDULED', '2026-05-05T10:00:00Z')));
    list = applyListEvent(list, ev('b', null));
    expect([...list.keys()]).toEqual(['a']);
    expect(applyListEvent(list, ev('b', null))).toBe(list);
  });

  it('shows live classes first, then upcoming soonest first, then ended latest first', () => {
    const list = loadedList([
      c('later', 'SCHEDULED', '2026-05-09T10:00:00Z'),
      c('old', 'ENDED', '2026-05-01T10:00:00Z'),
      c('now', 'LIVE', '2026-05-04T10:00:00Z'),
      c('soon', 'SCHEDULED', '2026-05-05T10:00:00Z'),
      c('recent', 'ENDED', '2026-05-03T10:00:00Z'),
    ]);
    const g = groupClasses(list);
    expect(g.live.map((x) => x.id)).toEqual(['now']);
    expect(g.upcoming.map((x) => x.id)).toEqual(['soon', 'later']);
    expect(g.ended.map((x) => x.id)).toEqual(['recent', 'old']);
  });
});
