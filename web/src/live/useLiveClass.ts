/**
 * One live class, loaded with its cursor and followed from it (useLiveList over liveClassEvents, merged by
 * applyLiveEvent), with the viewer's presence kept: while the class is live and the viewer admitted, the open
 * subscription is the server's heartbeat; when the realtime socket is down, `liveHeartbeat` is sent every
 * `LIVE_HEARTBEAT_SECONDS` instead. Students reload once the class ends (their own attendance is not an event), and
 * everyone when a host edits the class, planned or live (its event tells only the state and times of the run:
 * tellsAnEdit).
 */
import { computed, onScopeDispose, watch } from 'vue';
import { useApolloClient } from '../apollo/provide';
import { useLiveList } from '../apollo/useLiveList';
import { LIVE_CLASS_EVENTS, LIVE_CLASS_QUERY, LIVE_HEARTBEAT } from '../graphql/live';
import { useConnectionStore } from '../stores/connection';
import { applyLiveEvent, loadedClass, tellsAnEdit, type LiveClassView } from './class';

/** The server's `liveHeartbeatSeconds` (its default): how often a client without a subscription says it is there. */
const LIVE_HEARTBEAT_SECONDS = 20;

export function useLiveClass(classId: string) {
  const client = useApolloClient();
  const connection = useConnectionStore();
  /** An event merged since the last reload told of an edit the view does not hold. */
  let edited = false;
  const live = useLiveList(LIVE_CLASS_EVENTS, {
    initial: null as LiveClassView | null,
    load: async () => {
      const { data } = await client.query({ query: LIVE_CLASS_QUERY, variables: { id: classId }, fetchPolicy: 'network-only' });
      if (!data) throw new Error('This live class was not found.');
      return { state: loadedClass(data.liveClass), cursor: data.liveClass.cursor };
    },
    variables: (after) => ({ classId, after }),
    event: (data) => data.liveClassEvents,
    cursorOf: (ev) => ev.cursor,
    merge: (view, ev) => {
      if (!view) return view;
      edited ||= tellsAnEdit(view, ev);
      return applyLiveEvent(view, ev);
    },
    onEvent: (ev) => {
      if (ev.type !== 'CLASS_UPDATED') return;
      // A host's edit: the class is read again. A participant's own attendance is read, not told: once the class
      // ends, it is loaded again.
      if (edited || (ev.state === 'ENDED' && !live.state.value?.cls.canHost)) {
        edited = false;
        void live.reload();
      }
    },
  });

  const present = computed(() => !!live.state.value && live.state.value.cls.state === 'LIVE' && live.state.value.cls.joined);
  let timer: ReturnType<typeof setInterval> | undefined;
  watch(
    present,
    (on) => {
      clearInterval(timer);
      if (!on) return;
      timer = setInterval(() => {
        if (connection.state === 'connected') return;
        client.mutate({ mutation: LIVE_HEARTBEAT, variables: { id: classId } }).catch(() => {
          // Offline too: the next one tries again; the server keeps the stretch within its grace period.
        });
      }, LIVE_HEARTBEAT_SECONDS * 1000);
    },
    { immediate: true },
  );
  onScopeDispose(() => clearInterval(timer));

  /** Changes the view at once (a mutation's answer; its event follows and changes nothing more). */
  const update = (f: (view: LiveClassView) => LiveClassView) => {
    if (live.state.value) live.state.value = f(live.state.value);
  };
  return { live, update };
}
