/**
 * One live list, the whole pattern in one place (as Elk's `usePaginator` serves every timeline): load the list with
 * the stream position it reflects, subscribe from that cursor, merge each event into the list (keyed, idempotent:
 * the replay may bring what the load already had), resume after a reconnect from the latest cursor, and say
 * whether it is loading or failed. Every live list of the app uses it: a room's messages, the room list,
 * notifications, the tutor budget.
 *
 * The list is the caller's too: `state` may be changed between events (an older page, an optimistic message); merges
 * start from whatever it holds. A cursor the server refuses (expired, or not this list's) loads the list again.
 */
import type { OperationVariables, TypedDocumentNode } from '@apollo/client';
import { ref, shallowRef, type Ref, type ShallowRef } from 'vue';
import { useLiveSubscription } from './useLiveSubscription';
import { createLiveList, type Loaded } from './live-list';

export interface LiveListOptions<S, TData, TVariables, E> {
  /** What the list holds before the first load. */
  initial: S;
  /** Loads the list (a network query) and the position it reflects; gets what the list holds now. */
  load: (current: S) => Promise<Loaded<S>>;
  /** The subscription's variables, with `after` the cursor to resume from (null before anything was loaded). */
  variables: (after: string | null) => TVariables;
  /** The event carried by one result of the subscription. */
  event: (data: TData) => E;
  /** An event's own cursor (null for signals): the subscription resumes after it. Without it, from the last load. */
  cursorOf?: (ev: E) => string | null;
  /** Merges an event into the list: keyed and idempotent. */
  merge: (state: S, ev: E) => S;
  /** What else an event does, after its merge (typing, a reload when the server says the list changed). */
  onEvent?: (ev: E) => void;
  /**
   * After a reconnect: 'cursor' (default) resumes from the latest cursor; 'reload' loads the list again first, for
   * a list that also takes signals, which are not replayed (the room list: reads in other tabs).
   */
  resume?: 'cursor' | 'reload';
  /** A failure for good (FORBIDDEN, NOT_FOUND…) besides a refused cursor; `error` holds it too. */
  onFatal?: (code: string, error: unknown) => void;
  /** Do not load at once: the caller calls `reload()`. */
  lazy?: boolean;
}

export interface LiveListHandle<S> {
  state: ShallowRef<S>;
  /** True while a load (the first, or a reload) is in flight. */
  loading: Readonly<Ref<boolean>>;
  /** Why the last load failed, or why following stopped for good; null when all is well. */
  error: Readonly<ShallowRef<unknown>>;
  /** Loads the list again and follows it from its new cursor. */
  reload: () => Promise<void>;
  /** Where the subscription resumes from now. */
  cursor: () => string | null;
}

export function useLiveList<S, TData, TVariables extends OperationVariables, E>(
  subscription: TypedDocumentNode<TData, TVariables>,
  // NoInfer: the document alone says what the variables and the data are.
  options: LiveListOptions<S, NoInfer<TData>, NoInfer<TVariables>, E>,
): LiveListHandle<S> {
  const list = createLiveList<S, E>({ merge: options.merge, cursorOf: options.cursorOf });
  const state = shallowRef(options.initial) as ShallowRef<S>;
  const loading = ref(!options.lazy);
  const error = shallowRef<unknown>(null);
  /** The subscription is being opened again after it ended (not a first opening, nor a restart after a load). */
  let reopening = false;

  /** Loads; true when its result is kept (no later load started meanwhile). Throws what a kept load threw. */
  async function loadNow(): Promise<boolean> {
    const ticket = list.begin();
    loading.value = true;
    try {
      let result: Loaded<S>;
      try {
        result = await options.load(state.value);
      } catch (e) {
        if (list.isCurrent(ticket)) throw e;
        return false;
      }
      const loaded = list.settle(ticket, result);
      if (!loaded) return false;
      state.value = loaded.state;
      error.value = null;
      return true;
    } finally {
      if (list.isCurrent(ticket)) loading.value = false;
    }
  }

  const sub = useLiveSubscription(subscription, {
    lazy: true,
    onOpen: (attempt) => (reopening = attempt > 0),
    variables: () => {
      if (!(reopening && options.resume === 'reload')) return options.variables(list.cursor);
      // Load first, then follow from the new cursor; a failed load is retried like a failed opening.
      return loadNow().then(() => options.variables(list.cursor));
    },
    onData: (data) => {
      const ev = options.event(data);
      state.value = list.receive(state.value, ev);
      options.onEvent?.(ev);
    },
    onFatal: (code, err) => {
      if (code === 'CURSOR_EXPIRED' || code === 'BAD_CURSOR') return void reload();
      error.value = err;
      options.onFatal?.(code, err);
    },
  });

  async function reload(): Promise<void> {
    sub.stop();
    error.value = null;
    try {
      if (await loadNow()) sub.restart();
    } catch (e) {
      error.value = e;
    }
  }

  if (!options.lazy) void reload();
  return { state, loading, error, reload, cursor: () => list.cursor };
}
