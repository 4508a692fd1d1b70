/**
 * The rules of a live list, as plain functions (no Vue, no Apollo), for `useLiveList`: which load's result to keep,
 * where to resume the subscription from, and keyed merges that a replayed event leaves as they are.
 *
 * The contract with the API (DESIGN.md): a query returns a list and the stream position it reflects (its cursor);
 * the subscription from that cursor replays what was committed after it, then goes on live. The list may already
 * hold some of what is replayed (it was read after the cursor): merges are keyed and idempotent.
 */

/** A loaded list and the stream position it reflects: pass the cursor as `after` to the list's subscription. */
export interface Loaded<S> {
  state: S;
  cursor: string | null;
}

export interface LiveListRules<S, E> {
  /** Merges one event into the list; an event the list already reflects changes nothing. */
  merge: (state: S, ev: E) => S;
  /** The event's own position (null: a signal, or an event of a stream whose events carry none). */
  cursorOf?: (ev: E) => string | null;
}

/** A load in flight; only the latest one started is kept. */
type LoadTicket = number & { readonly __ticket: unique symbol };

export interface LiveList<S, E> {
  /** Where the subscription resumes from: the latest event's cursor, or the last load's. */
  readonly cursor: string | null;
  /** A load starts: its result is kept only if no other load starts before it settles. */
  begin(): LoadTicket;
  isCurrent(ticket: LoadTicket): boolean;
  /** The result of a load: returned (and its cursor taken) when still current, else null (drop it). */
  settle(ticket: LoadTicket, loaded: Loaded<S>): Loaded<S> | null;
  /** An event of the subscription: merged into `state`, and the cursor moves to it when it has one. */
  receive(state: S, ev: E): S;
}

export function createLiveList<S, E>(rules: LiveListRules<S, E>): LiveList<S, E> {
  let cursor: string | null = null;
  let latest = 0;
  return {
    get cursor() {
      return cursor;
    },
    begin: () => ++latest as LoadTicket,
    isCurrent: (ticket) => ticket === latest,
    settle(ticket, loaded) {
      if (ticket !== latest) return null;
      cursor = loaded.cursor;
      return loaded;
    },
    receive(state, ev) {
      cursor = rules.cursorOf?.(ev) ?? cursor;
      return rules.merge(state, ev);
    },
  };
}

/**
 * Adds `item` to a list keyed by `key` (first or last) unless an item with its key is there already: the held one
 * stays, since the list was read after the event it came with (what changed it later comes as events of its own).
 * Returns the same array when nothing changes.
 */
export function insertKeyed<T>(list: readonly T[], item: T, key: (x: T) => string, where: 'first' | 'last' = 'last'): readonly T[] {
  const k = key(item);
  if (list.some((x) => key(x) === k)) return list;
  return where === 'first' ? [item, ...list] : [...list, item];
}
