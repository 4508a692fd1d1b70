/**
 * The live dashboard of a course, followed for as long as the calling scope lives: the snapshot is loaded, then
 * replaced by each one `liveDashboard` sends (one on start, then on change); the class in progress is followed
 * event by event (`liveClassEvents` from its cursor), so a hand, a question or a vote shows at once rather than
 * with the next snapshot. When another class starts (or it ends), the events followed switch with it.
 */
import { onScopeDispose, ref, shallowRef } from 'vue';
import { useApolloClient } from '../apollo/provide';
import { useLiveSubscription } from '../apollo/useLiveSubscription';
import { COURSE_LIVE_DASHBOARD, DASHBOARD_CLASS_EVENTS, LIVE_DASHBOARD_UPDATES, type LiveDashboardData } from '../graphql/live-dashboard';
import { applyClassEvent, applySnapshot, emptyDashboard } from './dashboard';

export function useDashboardFeed(courseId: string) {
  const client = useApolloClient();
  const state = shallowRef(emptyDashboard());
  const loading = ref(true);
  const error = shallowRef<unknown>(null);
  /** The class whose events are followed, and where they resume from. */
  let classId: string | null = null;
  let classCursor: string | null = null;

  const classEvents = useLiveSubscription(DASHBOARD_CLASS_EVENTS, {
    lazy: true,
    variables: () => ({ classId: classId!, after: classCursor }),
    onData: (data) => {
      const ev = data.liveClassEvents;
      state.value = applyClassEvent(state.value, ev);
      classCursor = ev.cursor;
    },
    // A cursor the class stream no longer keeps: the next snapshot starts the class anew. Anything else (the class
    // deleted, access revoked): the snapshots say what is current.
    onFatal: () => {
      classId = null;
    },
  });

  /** Follows the class of the snapshot just taken (nothing when there is none, or it is the one followed). */
  function followClass(d: LiveDashboardData): void {
    const c = d.liveClass;
    if ((c?.id ?? null) === classId) return;
    classEvents.stop();
    classId = c?.id ?? null;
    classCursor = c?.cursor ?? null;
    if (classId) classEvents.restart();
  }

  function take(d: LiveDashboardData): void {
    state.value = applySnapshot(state.value, d);
    error.value = null;
    followClass(d);
  }

  const snapshots = useLiveSubscription(LIVE_DASHBOARD_UPDATES, {
    lazy: true,
    variables: () => ({ courseId }),
    onData: (data) => take(data.liveDashboard),
    onFatal: (_code, e) => (error.value = e),
  });

  async function reload(): Promise<void> {
    snapshots.stop();
    loading.value = true;
    error.value = null;
    try {
      const { data } = await client.query({ query: COURSE_LIVE_DASHBOARD, variables: { courseId }, fetchPolicy: 'network-only' });
      const d = data?.course?.liveDashboard;
      if (d) take(d);
      snapshots.restart();
    } catch (e) {
      error.value = e;
    } finally {
      loading.value = false;
    }
  }

  void reload();
  onScopeDispose(() => {
    snapshots.stop();
    classEvents.stop();
  });
  return { state, loading, error, reload };
}
