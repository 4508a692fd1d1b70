/**
 * Presence in a course: who is online or away. This tab counts as present while the presence subscription
 * is open, and reports itself AWAY while hidden. The newest version of each user's state wins. `section` names the part
 * of the tool the tab shows (chat, live…): the instructor's live dashboard counts students by it.
 */
import { onBeforeUnmount, shallowRef } from 'vue';
import { useApolloClient } from '../apollo/provide';
import { useLiveSubscription } from '../apollo/useLiveSubscription';
import type { PresenceSubscription } from '../gql/graphql';
import { PRESENCE, SET_PRESENCE, type PresenceState } from '../graphql/chat';

let tabId: string | null = null;
/** One id per tab for its lifetime (not stored: a reload is a new tab, the old entry expires). */
function currentTabId(): string {
  tabId ??= crypto.randomUUID();
  return tabId;
}

/** What is known of one user's presence (the `presence` feed's state and version). */
export type PresenceEntry = Pick<PresenceSubscription['presence'], 'state' | 'version'>;

/** Applies a change when it is newer than what is known. */
function applyPresence(map: ReadonlyMap<string, PresenceEntry>, userId: string, entry: PresenceEntry): Map<string, PresenceEntry> {
  const known = map.get(userId);
  if (known && known.version > entry.version && entry.version !== 0) return map as Map<string, PresenceEntry>;
  const next = new Map(map);
  next.set(userId, entry);
  return next;
}

export function usePresence(courseId: string, initial: () => PresenceSubscription['presence'][] | undefined, section?: string) {
  const client = useApolloClient();
  const states = shallowRef(new Map<string, PresenceEntry>());
  let seeded = false;

  const seed = () => {
    const list = initial();
    if (!list || seeded) return;
    seeded = true;
    let m = states.value;
    for (const p of list) m = applyPresence(m, p.userId, { state: p.state, version: p.version });
    states.value = m;
  };

  useLiveSubscription(PRESENCE, {
    variables: () => ({ courseId, tabId: currentTabId(), section: section ?? null }),
    onData: ({ presence: p }) => {
      seed();
      states.value = applyPresence(states.value, p.userId, { state: p.state, version: p.version });
    },
    // A hidden tab opened again reports its state anew.
    onOpen: () => void report(),
  });

  function report(): Promise<unknown> {
    const state: PresenceState = document.visibilityState === 'hidden' ? 'AWAY' : 'ONLINE';
    return client
      .mutate({ mutation: SET_PRESENCE, variables: { courseId, tabId: currentTabId(), state, section: section ?? null } })
      .catch(() => {});
  }
  const onVisibility = () => void report();
  document.addEventListener('visibilitychange', onVisibility);
  onBeforeUnmount(() => document.removeEventListener('visibilitychange', onVisibility));

  return {
    seed,
    stateOf: (userId: string): PresenceState => {
      seed();
      return states.value.get(userId)?.state ?? 'OFFLINE';
    },
    states,
  };
}
