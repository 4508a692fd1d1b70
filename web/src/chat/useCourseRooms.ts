/**
 * A course's room list, live, once per course page: loaded with its cursor and followed from it (chatActivity), for
 * everything that shows it: the tabs' unread badges (right on every tab, whether the chat was opened in this page
 * load or not) and the chat's own room list. The course page provides it; the tabs and the chat inject it, so a tab
 * holds one such subscription, not one per view.
 */
import { computed, inject, provide, ref, shallowRef, type ComputedRef, type InjectionKey, type Ref, type ShallowRef } from 'vue';
import { useApolloClient } from '../apollo/provide';
import { useLiveList, type LiveListHandle } from '../apollo/useLiveList';
import { CHAT_ACTIVITY, CHAT_ROOMS_QUERY, type ChatRoom } from '../graphql/chat';
import type { ChatRoomsQuery } from '../gql/graphql';
import type { CourseSectionSlug } from '../courses/sections';
import { applyActivity, markOpenRead, sectionBadges, sortRooms, type UnreadBadge } from './room-list';

type CoursePresence = NonNullable<ChatRoomsQuery['course']>['presence'];

export interface CourseRooms {
  /** The list: load, reload, follow (`list.state` is `rooms`). */
  list: LiveListHandle<ChatRoom[]>;
  rooms: ShallowRef<ChatRoom[]>;
  /** Who was online when the list was first loaded (the presence feed goes on from there). */
  presenceAtLoad: ShallowRef<CoursePresence | undefined>;
  /** The room the chat shows (set by the chat while it is open): its new messages are read as they arrive. */
  chatRoomId: Ref<string | null>;
  badges: ComputedRef<{ chat: UnreadBadge; tutor: UnreadBadge }>;
  /** The viewer read a room up to `seq` (on screen). */
  markRead: (roomId: string, seq: string) => void;
  /** Loads the list and follows it, once. */
  start: () => void;
}

const KEY: InjectionKey<CourseRooms> = Symbol('course-rooms');

/**
 * Made by the course page (`section`: the tab on screen, so that the room it shows is read as messages arrive: the
 * chat's open room, the tutor's room).
 */
export function provideCourseRooms(courseId: string, me: () => string | null, section: () => CourseSectionSlug): CourseRooms {
  const client = useApolloClient();
  const presenceAtLoad = shallowRef<CoursePresence>();
  const chatRoomId = ref<string | null>(null);
  /** The room on screen now, if the page is. */
  const onScreen = (rooms: ChatRoom[]): string | null => {
    if (document.visibilityState !== 'visible') return null;
    if (section() === 'chat') return chatRoomId.value;
    if (section() === 'tutor') return rooms.find((r) => r.kind === 'TUTOR')?.id ?? null;
    return null;
  };
  const list: LiveListHandle<ChatRoom[]> = useLiveList(CHAT_ACTIVITY, {
    initial: [] as ChatRoom[],
    lazy: true,
    load: async () => {
      const course = (await client.query({ query: CHAT_ROOMS_QUERY, variables: { courseId }, fetchPolicy: 'network-only' })).data?.course;
      presenceAtLoad.value ??= course?.presence;
      return { state: sortRooms(course?.rooms ?? []), cursor: course?.roomsCursor ?? null };
    },
    variables: (after) => ({ courseId, after }),
    event: (data) => data.chatActivity,
    merge: (rooms, a) => applyActivity(rooms, a, me(), onScreen(rooms)),
    // Joined, left or renamed: the list is loaded again (and followed from its new cursor).
    onEvent: (a) => (a.type === 'ROOMS_CHANGED' || a.type === 'ROOM_UPDATED') && void list.reload(),
    // Reads in other tabs are signals, not replayed: after a reconnect, the list is loaded again.
    resume: 'reload',
  });
  let started = false;
  const rooms: CourseRooms = {
    list,
    rooms: list.state,
    presenceAtLoad,
    chatRoomId,
    badges: computed(() => sectionBadges(list.state.value)),
    markRead: (roomId, seq) => void (list.state.value = markOpenRead(list.state.value, roomId, seq)),
    start: () => {
      if (started) return;
      started = true;
      void list.reload();
    },
  };
  provide(KEY, rooms);
  return rooms;
}

/** The course page's room list; null outside a course page. */
export function useCourseRooms(): CourseRooms | null {
  return inject(KEY, null);
}
