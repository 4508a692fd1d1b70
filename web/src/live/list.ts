/**
 * The Live class tab's pure rules: the course's classes by id, how an event of the course's stream changes them (the
 * class as it is now replaces the one held, unless it is older: a class's state never goes back; none: removed), and
 * the order the tab shows them in (live now, then upcoming soonest first, then ended latest first).
 */
import type { CourseLiveClassEventsSubscription, LiveClassSummaryFieldsFragment } from '../gql/graphql';

export type LiveClassListEvent = CourseLiveClassEventsSubscription['courseLiveClassEvents'];

export type LiveClassList = ReadonlyMap<string, LiveClassSummaryFieldsFragment>;

const RANK = { SCHEDULED: 0, LIVE: 1, ENDED: 2 } as const;

export const loadedList = (classes: readonly LiveClassSummaryFieldsFragment[]): LiveClassList => new Map(classes.map((c) => [c.id, c]));

/** A class (an event's, a mutation's answer) over the one held. */
export function upsertClass(list: LiveClassList, c: LiveClassSummaryFieldsFragment): LiveClassList {
  const held = list.get(c.id);
  if (held && RANK[held.state] > RANK[c.state]) return list;
  return new Map(list).set(c.id, c);
}

/** A class gone (deleted, or no longer readable). */
export function removeClass(list: LiveClassList, id: string): LiveClassList {
  if (!list.has(id)) return list;
  const next = new Map(list);
  next.delete(id);
  return next;
}

export function applyListEvent(list: LiveClassList, ev: LiveClassListEvent): LiveClassList {
  return ev.liveClass ? upsertClass(list, ev.liveClass) : removeClass(list, ev.classId);
}

export interface LiveClassGroups {
  live: LiveClassSummaryFieldsFragment[];
  upcoming: LiveClassSummaryFieldsFragment[];
  ended: LiveClassSummaryFieldsFragment[];
}

export function groupClasses(list: LiveClassList): LiveClassGroups {
  const all = [...list.values()];
  const by =
    (f: (c: LiveClassSummaryFieldsFragment) => string, desc = false) =>
    (a: LiveClassSummaryFieldsFragment, b: LiveClassSummaryFieldsFragment) =>
      (desc ? -1 : 1) * (f(a).localeCompare(f(b)) || a.id.localeCompare(b.id));
  return {
    live: all.filter((c) => c.state === 'LIVE').sort(by((c) => c.startedAt ?? c.startsAt)),
    upcoming: all.filter((c) => c.state === 'SCHEDULED').sort(by((c) => c.startsAt)),
    ended: all.filter((c) => c.state === 'ENDED').sort(by((c) => c.endedAt ?? c.endsAt, true)),
  };
}
