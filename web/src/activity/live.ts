/** The staff's activity feed as a pure reducer (the first page, then live entries), and what each entry says. */
import type { CourseActivityQuery } from '../gql/graphql';
import type { ActivityFeedEvent, ActivityItem } from '../graphql/activity';
import { insertKeyed, type Loaded } from '../apollo/live-list';

export interface ActivityList {
  /** Newest first, unique by id. */
  readonly items: readonly ActivityItem[];
  /** Where the next older page starts; null when there is none. */
  readonly olderCursor: string | null;
}

/** The most the panel keeps in memory (live entries push the oldest out; "Load more" brings them back). */
export const HELD = 500;

export const emptyActivity = (): ActivityList => ({ items: [], olderCursor: null });

export function loadedActivity(data: CourseActivityQuery): Loaded<ActivityList> {
  const c = data.courseActivityEntries;
  return {
    state: { items: c.edges.map((e) => e.node), olderCursor: c.pageInfo.hasNextPage ? (c.pageInfo.endCursor ?? null) : null },
    cursor: c.cursor,
  };
}

/** A live entry goes first; one the list holds already (a replay of what the page had) changes nothing. */
export function applyActivityEvent(list: ActivityList, ev: ActivityFeedEvent): ActivityList {
  const items = insertKeyed(list.items, ev.entry, (e) => e.id, 'first');
  return items === list.items ? list : { ...list, items: items.slice(0, HELD) };
}

/** An older page appended (keyed: nothing twice). */
export function appendOlder(list: ActivityList, data: CourseActivityQuery): ActivityList {
  const seen = new Set(list.items.map((i) => i.id));
  const older = data.courseActivityEntries.edges.map((e) => e.node).filter((n) => !seen.has(n.id));
  const c = data.courseActivityEntries.pageInfo;
  return { items: [...list.items, ...older], olderCursor: c.hasNextPage ? (c.endCursor ?? null) : null };
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/** What an entry says, in a sentence; `when` formats an instant in the viewer's zone. */
export function describeActivity(e: ActivityItem, when: (iso: string) => string): string {
  const who = e.actorName ?? 'Someone';
  const d = (e.data ?? {}) as Record<string, unknown>;
  const title = str(d['title']);
  const at = str(d['startsAt']);
  const session = `${title ? `“${title}”` : 'a session'}${at ? ` (${when(at)})` : ''}`;
  const n = Number(d['occurrences'] ?? 1);
  const many = n > 1 ? ` and ${n - 1} more occurrence${n > 2 ? 's' : ''}` : '';
  switch (e.type) {
    case 'member.joined':
      return `${who} joined the course`;
    case 'member.first_launch':
      return `${who} opened the course for the first time`;
    case 'messages.hourly': {
      const count = Number(d['count'] ?? 0);
      const from = str(d['from']);
      return `${count} message${count === 1 ? '' : 's'} in the course's rooms${from ? ` in the hour from ${when(from)}` : ''}`;
    }
    case 'session.created':
      return `${who} scheduled ${session}${many}`;
    case 'session.updated':
      return `${who} changed ${session}${many}`;
    case 'session.moved':
      return `${who} moved ${session}${many}`;
    case 'session.cancelled':
      return `${who} cancelled ${session}${many}`;
    case 'booking.made':
      return `${who} booked office hours${at ? ` for ${when(at)}` : ''}`;
    case 'booking.cancelled':
      return `${who} cancelled an office-hours booking${at ? ` for ${when(at)}` : ''}`;
    case 'live.started':
      return `${who} started the live class ${title ? `“${title}”` : ''}`.trimEnd();
    case 'live.ended':
      return `${who} ended the live class ${title ? `“${title}”` : ''}`.trimEnd();
    case 'tutor.budget_warning':
      return `${who} has used ${Number(d['percent'] ?? 0)}% of today's AI tutor budget`;
    default:
      return `${who}: ${e.type}`;
  }
}
