/**
 * The class grid's pure rules: every learner's copy by user id, how an event of the session's stream changes it (a
 * copy made when its student opens the exercise), each tile's state (not started / idle / typing: an edit arrived
 * within the last TYPING_MS) and the order and filter the grid shows them in.
 */
import type { CollabSessionEventsSubscription } from '../gql/graphql';
import type { CollabCopySummary, CollabSessionSummary } from '../graphql/collab';

export type CollabGridEvent = CollabSessionEventsSubscription['collabSessionEvents'];

export type TileState = 'not-started' | 'idle' | 'typing';

/** An edit this recent (ms) shows its student as typing. */
export const TYPING_MS = 3000;

export interface GridState {
  session: CollabSessionSummary | null;
  /** By user id. */
  copies: ReadonlyMap<string, CollabCopySummary>;
  /** The session was deleted while the grid was open. */
  deleted: boolean;
}

export const emptyGrid = (): GridState => ({ session: null, copies: new Map(), deleted: false });

export const loadedGrid = (session: CollabSessionSummary, copies: readonly CollabCopySummary[]): GridState => ({
  session,
  copies: new Map(copies.map((c) => [c.userId, c])),
  deleted: false,
});

/** A copy (made, or started) over the one held: a copy that has a document keeps it. */
export function upsertCopy(grid: GridState, copy: CollabCopySummary): GridState {
  const held = grid.copies.get(copy.userId);
  const merged: CollabCopySummary = held
    ? { ...held, ...copy, document: copy.document ?? held.document, started: copy.started || held.started }
    : copy;
  return { ...grid, copies: new Map(grid.copies).set(copy.userId, merged) };
}

export function applyGridEvent(grid: GridState, ev: CollabGridEvent): GridState {
  if (ev.type === 'session.deleted') return { ...grid, deleted: true };
  if (ev.copy) return upsertCopy(grid, ev.copy);
  if (ev.session) return { ...grid, session: ev.session };
  return grid;
}

/** A tile's state now, from its copy and when the last edit someone else made to it arrived (ms), if any. */
export function tileState(copy: CollabCopySummary, lastEditAt: number | null, now: number): TileState {
  if (lastEditAt != null && now - lastEditAt < TYPING_MS) return 'typing';
  return copy.started || lastEditAt != null ? 'idle' : 'not-started';
}

export const TILE_STATE_LABELS: Record<TileState, string> = { 'not-started': 'Not started', idle: 'Idle', typing: 'Typing…' };

export type GridSort = 'name' | 'state';

const STATE_RANK: Record<TileState, number> = { typing: 0, idle: 1, 'not-started': 2 };

/**
 * The tiles to show: those whose student's name holds `filter` (case-insensitive), or whose state is `stateFilter`,
 * by name, or by state (typing first, then idle, then not started) then name.
 */
export function visibleTiles(
  copies: Iterable<CollabCopySummary>,
  states: (c: CollabCopySummary) => TileState,
  options: { filter?: string; state?: TileState | null; sort?: GridSort },
): CollabCopySummary[] {
  const needle = options.filter?.trim().toLocaleLowerCase() ?? '';
  const byName = (a: CollabCopySummary, b: CollabCopySummary) => a.userName.localeCompare(b.userName) || a.userId.localeCompare(b.userId);
  return [...copies]
    .filter((c) => !needle || c.userName.toLocaleLowerCase().includes(needle))
    .filter((c) => !options.state || states(c) === options.state)
    .sort(options.sort === 'state' ? (a, b) => STATE_RANK[states(a)] - STATE_RANK[states(b)] || byName(a, b) : byName);
}
