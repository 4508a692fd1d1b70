/**
 * The Collab tab's pure rules: the course's sessions by id, how an event of the course's stream changes them (the
 * session as the viewer sees it now replaces the one held; none: deleted, or no longer visible), and the order the
 * tab shows them in (newest first).
 */
import type { CourseCollabSessionEventsSubscription } from '../gql/graphql';
import type { CollabSessionSummary } from '../graphql/collab';

export type CollabSessionListEvent = CourseCollabSessionEventsSubscription['courseCollabSessionEvents'];

export type CollabSessionList = ReadonlyMap<string, CollabSessionSummary>;

export const loadedSessions = (sessions: readonly CollabSessionSummary[]): CollabSessionList => new Map(sessions.map((s) => [s.id, s]));

/** A session (an event's, a mutation's answer) over the one held, unless the held one is newer. */
export function upsertSession(list: CollabSessionList, s: CollabSessionSummary): CollabSessionList {
  const held = list.get(s.id);
  if (held && Date.parse(held.updatedAt) > Date.parse(s.updatedAt)) return list;
  return new Map(list).set(s.id, s);
}

export function removeSession(list: CollabSessionList, id: string): CollabSessionList {
  if (!list.has(id)) return list;
  const next = new Map(list);
  next.delete(id);
  return next;
}

export function applySessionEvent(list: CollabSessionList, ev: CollabSessionListEvent): CollabSessionList {
  return ev.type !== 'session.deleted' && ev.session ? upsertSession(list, ev.session) : removeSession(list, ev.sessionId);
}

/** Newest first (ties by id, so the order is stable). */
export function sortedSessions(list: CollabSessionList): CollabSessionSummary[] {
  return [...list.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
}

/** The launch's activity id from the tab's query (`?activity=<id>`), or null. */
export function activityParam(query: unknown): string | null {
  const value = Array.isArray(query) ? query[0] : query;
  return typeof value === 'string' && value.trim() ? value.trim() : null;
}
