/**
 * Presence in a course: who is online or away. This tab counts as present while the presence subscription
 * is open, and reports itself AWAY while hidden. The newest version of each user's state wins. `section` names the part
 * of the tool the tab shows (hub, chat, tutor, live, dashboard…): the instructor's live dashboard counts students by it.
 *
 * A tab holds one presence subscription per course page (the server keeps one entry per tab: a second subscription
 * with the same tabId ending would remove it). The course page opens it (provideCoursePresence) and reports the
 * section it shows as it changes; the chat and the class chat read its states (useCoursePresence).
 */
import { inject, onScopeDispose, provide, shallowRef, watch, type InjectionKey, type ShallowRef } from 'vue';
import { useApolloClient } from '../apollo/provide';
import { useLiveSubscription } from '../apollo/useLiveSubscription';
import type { PresenceSubscription } from '../gql/graphql';
import { PRESENCE, SET_PRESENCE, type PresenceState } from '../graphql/chat';
import { randomId } from '../random-id';

let tabId: string | null = null;
/** One id per tab for its lifetime (not stored: a reload is a new tab, the old entry expires). */
function currentTabId(): string {
  tabId ??= randomId();
  return tabId;
}

/** What is known of one user's presence (the `presence` feed's state and version). */
type PresenceEntry = Pick<PresenceSubscription['presence'], 'state' | 'version'>;

/** Applies a change when it is newer than what is known. */
function applyPresence(map: ReadonlyMap<string, PresenceEntry>, userId: string, entry: PresenceEntry): Map<string, PresenceEntry> {
  const known = map.get(userId);
  if (known && known.version > entry.version && entry.version !== 0) return map as Map<string, PresenceEntry>;
  const next = new Map(map);
  next.set(userId, entry);
  return next;
}

/** The course's presence states as this tab follows them. */
export interface CoursePresence {
  /** Seeds the states from what was loaded (once, when it is there). */
  seed: () => void;
  stateOf: (userId: string) => PresenceState;
  states: ShallowRef<Map<string, PresenceEntry>>;
}

/** How long one presence report may take before it is given up. */
const REPORT_TIMEOUT_MS = 15_000;

type Initial = () => PresenceSubscription['presence'][] | undefined;

/**
 * Opens this tab's presence subscription in a course (at once, or with `start()` when `lazy`), reports the tab
 * ONLINE or AWAY as it is shown or hidden, and `section()` whenever it changes.
 */
function usePresence(
  courseId: string,
  initial: Initial,
  section: () => string | undefined,
  lazy = false,
): CoursePresence & { start: () => void } {
  const client = useApolloClient();
  const states = shallowRef(new Map<string, PresenceEntry>());
  let seeded = false;
  let started = !lazy;

  const seed = () => {
    const list = initial();
    if (!list || seeded) return;
    seeded = true;
    let m = states.value;
    for (const p of list) m = applyPresence(m, p.userId, { state: p.state, version: p.version });
    states.value = m;
  };

  const subscription = useLiveSubscription(PRESENCE, {
    lazy,
    // The section the tab shows when it (re)opens; setPresence carries it on from there.
    variables: () => ({ courseId, tabId: currentTabId(), section: section() ?? null }),
    onData: ({ presence: p }) => {
      seed();
      states.value = applyPresence(states.value, p.userId, { state: p.state, version: p.version });
    },
    // A hidden tab opened again reports its state anew.
    onOpen: () => void report(),
  });

  /**
   * Reports go one at a time (a later one waits for the one on its way, and says what is true when it leaves), so that
   * the section and state the server keeps are the last ones: two requests on their way at once may arrive swapped.
   */
  let sending = false;
  let pending = false;
  async function report(): Promise<void> {
    if (!started) return;
    if (sending) {
      pending = true;
      return;
    }
    sending = true;
    do {
      pending = false;
      const state: PresenceState = document.visibilityState === 'hidden' ? 'AWAY' : 'ONLINE';
      const variables = { courseId, tabId: currentTabId(), state, section: section() ?? null };
      // A request that hangs (the network gone) gives up, so that the next one is not held behind it.
      const context = { fetchOptions: { signal: AbortSignal.timeout(REPORT_TIMEOUT_MS) } };
      await client.mutate({ mutation: SET_PRESENCE, variables, context }).catch(() => {});
    } while (pending);
    sending = false;
  }
  const onVisibility = () => void report();
  document.addEventListener('visibilitychange', onVisibility);
  onScopeDispose(() => document.removeEventListener('visibilitychange', onVisibility));
  // The person moved to another part of the tool: the tab says where it is now.
  watch(section, (now, before) => now !== before && void report());

  return {
    seed,
    stateOf: (userId: string): PresenceState => {
      seed();
      return states.value.get(userId)?.state ?? 'OFFLINE';
    },
    states,
    start: () => {
      if (started) return;
      started = true;
      subscription.restart();
    },
  };
}

const KEY: InjectionKey<CoursePresence> = Symbol('course-presence');

/**
 * Made by the course page: the tab's one presence subscription in the course, opened with `start()` (once the course
 * is loaded), reporting `section()` (the section or tool on screen) as the person moves.
 */
export function provideCoursePresence(courseId: string, initial: Initial, section: () => string): CoursePresence & { start: () => void } {
  const presence = usePresence(courseId, initial, section, true);
  provide(KEY, presence);
  return presence;
}

/**
 * The course page's presence states; outside a course page, a subscription of the caller's own that reports `section`.
 */
export function useCoursePresence(courseId: string, initial: Initial, section: string): CoursePresence {
  return inject(KEY, null) ?? usePresence(courseId, initial, () => section);
}
