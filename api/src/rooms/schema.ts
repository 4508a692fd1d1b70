/** Rooms and chat: types, queries, mutations and the room subscriptions. Resolvers only parse and call the service. */
import { builder } from '../graphql/builder.js';
import { connectionOf } from '../graphql/common.js';
import { requireViewer } from '../graphql/viewer.js';
import { CourseRef, CourseRoleEnum } from '../courses/schema.js';
import { parseSeqCursor } from '../realtime/cursor.js';
import { AsyncQueue } from '../realtime/async-queue.js';
import { userStream } from '../notifications/events.js';
import { AppError } from '../errors.js';
import type { Delivery, EventShape, StreamEvent } from '../realtime/realtime.js';
import type { Viewer } from '../auth/viewer.js';
import type { Services } from '../services.js';
import { parseRoomListCursor, type RoomMemberView, type RoomView, type SearchHit } from './service.js';
import type { Context } from '../graphql/context.js';
import { roomStream, type RoomEvent, type RoomSignal } from './events.js';
import type { AnnouncementView, MessageRefView, MessageView, Participant, ReactionView } from './views.js';
import type { TutorSignal } from '../tutor/events.js';
import { onAbort } from '../abort.js';

const up = <T extends string>(values: readonly T[]) =>
  Object.fromEntries(values.map((v) => [v.toUpperCase(), { value: v }])) as Record<Uppercase<T>, { value: T }>;

const RoomKindEnum = builder.enumType('RoomKind', { values: up(['course', 'group', 'direct', 'live', 'tutor'] as const) });
const MessageKindEnum = builder.enumType('MessageKind', { values: up(['text', 'code', 'system'] as const) });
const DeletedByEnum = builder.enumType('DeletedBy', { values: up(['author', 'moderator'] as const) });
const RoomMemberRoleEnum = builder.enumType('RoomMemberRole', { values: up(['owner', 'member'] as const) });
const PostRefusalEnum = builder.enumType('PostRefusal', {
  description: 'Why the viewer cannot post in a room.',
  values: { ARCHIVED: { value: 'ARCHIVED' }, MUTED: { value: 'MUTED' }, READ_ONLY: { value: 'READ_ONLY' } } as const,
});

export const ParticipantRef = builder.objectRef<Participant>('Participant').implement({
  description: 'A person as chat shows them (name and picture only).',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    picture: t.exposeString('picture', { nullable: true }),
    bot: t.boolean({ description: 'The AI tutor (the tool itself), not a person.', resolve: (p) => !!p.bot }),
  }),
});

const MessageRefRef = builder.objectRef<MessageRefView>('MessageRef').implement({
  description: 'The message another one replies to, in brief.',
  fields: (t) => ({
    id: t.exposeID('id'),
    authorName: t.exposeString('authorName', { nullable: true }),
    excerpt: t.exposeString('excerpt', { description: 'The start of its text; empty when deleted.' }),
    deleted: t.exposeBoolean('deleted'),
  }),
});

const ReactionRef = builder.objectRef<ReactionView>('Reaction').implement({
  fields: (t) => ({ emoji: t.exposeString('emoji'), count: t.exposeInt('count'), userIds: t.exposeIDList('userIds') }),
});

export const MessageRef = builder.objectRef<MessageView>('Message').implement({
  description: 'A chat message. The same for every reader: nothing in it depends on who asks.',
  fields: (t) => ({
    id: t.exposeID('id'),
    roomId: t.exposeID('roomId'),
    seq: t.string({
      description: "Its position in the room's stream: pass as `after` to roomEvents, or compare with a read marker.",
      resolve: (m) => String(m.seq ?? 0),
    }),
    kind: t.field({ type: MessageKindEnum, resolve: (m) => m.kind }),
    author: t.field({ type: ParticipantRef, nullable: true, description: 'Null for system messages.', resolve: (m) => m.author }),
    body: t.exposeString('body', { description: 'Markdown for TEXT, source for CODE, plain text for SYSTEM; empty when deleted.' }),
    language: t.exposeString('language', { nullable: true }),
    replyTo: t.field({ type: MessageRefRef, nullable: true, resolve: (m) => m.replyTo }),
    mentions: t.field({ type: [ParticipantRef], resolve: (m) => m.mentions }),
    ambiguousMentions: t.stringList({
      description:
        'Names written as "@Name" that more than one member of the room bears: nobody was notified for them (pick the person, i.e. send their id in mentionIds). Only in the answer to sendMessage and editMessage; empty elsewhere.',
      resolve: (m) => m.ambiguousMentions ?? [],
    }),
    reactions: t.field({ type: [ReactionRef], resolve: (m) => m.reactions }),
    createdAt: t.field({ type: 'DateTime', resolve: (m) => m.createdAt }),
    editedAt: t.field({ type: 'DateTime', nullable: true, resolve: (m) => m.editedAt }),
    deleted: t.exposeBoolean('deleted'),
    deletedBy: t.field({ type: DeletedByEnum, nullable: true, resolve: (m) => m.deletedBy }),
    clientId: t.exposeString('clientId', { nullable: true, description: "The sender's id for the message (idempotent sends)." }),
  }),
});
const MessageConnection = connectionOf<MessageView>('Message', MessageRef);

const AnnouncementRef = builder.objectRef<AnnouncementView>('Announcement').implement({
  description: 'The message pinned at the top of the course room by its staff; every member of the course was notified of it.',
  fields: (t) => ({
    message: t.field({ type: MessageRef, resolve: (a) => a.message }),
    pinnedBy: t.field({
      type: ParticipantRef,
      nullable: true,
      description: 'Who posted or pinned it as the announcement.',
      resolve: (a) => a.pinnedBy,
    }),
    pinnedAt: t.field({ type: 'DateTime', resolve: (a) => a.pinnedAt }),
  }),
});

const RoomMemberRef = builder.objectRef<RoomMemberView>('RoomMember').implement({
  fields: (t) => ({
    user: t.field({ type: ParticipantRef, resolve: (m) => m.user }),
    courseRoles: t.field({ type: [CourseRoleEnum], resolve: (m) => m.courseRoles }),
    role: t.field({ type: RoomMemberRoleEnum, resolve: (m) => m.role as 'owner' | 'member' }),
    muted: t.exposeBoolean('muted'),
    lastReadSeq: t.string({
      nullable: true,
      description: 'Read receipt (direct, group and tutor rooms only).',
      resolve: (m) => (m.lastReadSeq === null ? null : String(m.lastReadSeq)),
    }),
  }),
});
const RoomMemberConnection = connectionOf<RoomMemberView>('RoomMember', RoomMemberRef);

export const RoomRef = builder.objectRef<RoomView>('Room').implement({
  description: 'A chat room: the course room, a group, a direct conversation, a live class or a tutor room.',
  fields: (t) => ({
    id: t.exposeID('id'),
    courseId: t.exposeID('courseId'),
    kind: t.field({ type: RoomKindEnum, resolve: (r) => r.kind as 'course' }),
    name: t.string({ description: "What to call it: the other person's name for a direct room.", resolve: (r) => r.displayName }),
    topic: t.exposeString('topic', { nullable: true }),
    peer: t.field({ type: ParticipantRef, nullable: true, description: 'Direct rooms: the other person.', resolve: (r) => r.peer }),
    archived: t.boolean({ resolve: (r) => r.archivedAt !== null }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.createdAt }),
    lastMessageAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.lastMessageAt }),
    lastSeq: t.string({
      description: 'The latest event: pass as `after` to roomEvents to follow from here.',
      resolve: (r) => String(r.lastSeq),
    }),
    lastReadSeq: t.string({
      nullable: true,
      description: "The viewer's read marker (null for an API key).",
      resolve: (r) => (r.lastReadSeq === null ? null : String(r.lastReadSeq)),
    }),
    unreadCount: t.exposeInt('unreadCount', { description: 'Messages by others after the read marker.' }),
    muted: t.exposeBoolean('muted', { description: 'Whether the viewer is muted here.' }),
    canPost: t.boolean({ resolve: (r) => r.rights.post }),
    postRefusal: t.field({ type: PostRefusalEnum, nullable: true, resolve: (r) => r.rights.postRefusal }),
    canModerate: t.boolean({ resolve: (r) => r.rights.moderate }),
    canAnnounce: t.boolean({
      description: 'Whether the viewer may post, pin or take down the announcement here (staff, in the course room).',
      resolve: (r) => r.rights.announce,
    }),
    announcement: t.field({
      type: AnnouncementRef,
      nullable: true,
      description: 'The announcement pinned at the top (course rooms); follow ANNOUNCEMENT_CHANGED events.',
      resolve: (r) => r.announcement,
    }),
    memberCount: t.exposeInt('memberCount', {
      description: "How many people read it: the course's members for course and live rooms, the room's members otherwise.",
    }),
    members: t.field({
      type: RoomMemberConnection,
      args: { first: t.arg.int(), after: t.arg.string(), last: t.arg.int(), before: t.arg.string() },
      resolve: (r, args, ctx) => ctx.services.rooms.listMembers(requireViewer(ctx), r.id, args),
    }),
    messages: t.field({
      type: MessageConnection,
      description:
        'History, oldest first within a page. `last`/`before` page back in time; `around` (a message id) opens history at a message.',
      args: { first: t.arg.int(), after: t.arg.string(), last: t.arg.int(), before: t.arg.string(), around: t.arg.id() },
      resolve: (r, args, ctx) =>
        ctx.services.rooms.messages(requireViewer(ctx), r.id, { ...args, around: args.around == null ? null : String(args.around) }),
    }),
  }),
});

const SearchHitRef = builder.objectRef<SearchHit>('MessageSearchHit').implement({
  fields: (t) => ({
    message: t.field({ type: MessageRef, resolve: (h) => h.message }),
    roomId: t.id({ resolve: (h) => h.room.id }),
    roomName: t.string({ resolve: (h) => h.room.name }),
    roomKind: t.field({ type: RoomKindEnum, resolve: (h) => h.room.kind }),
    snippet: t.exposeString('snippet', { description: 'The matching passage; each match is wrapped in U+E000 … U+E001.' }),
  }),
});
const SearchConnection = connectionOf<SearchHit>('MessageSearchHit', SearchHitRef);

/** One room list per request and course: `rooms` and `roomsCursor` come from the same reads, in their order. */
const roomLists = new WeakMap<Context, Map<string, Promise<{ rooms: RoomView[]; cursor: string }>>>();
function roomListOf(ctx: Context, courseId: string): Promise<{ rooms: RoomView[]; cursor: string }> {
  let byCourse = roomLists.get(ctx);
  if (!byCourse) roomLists.set(ctx, (byCourse = new Map()));
  let list = byCourse.get(courseId);
  if (!list) byCourse.set(courseId, (list = ctx.services.rooms.listRoomsFollowed(requireViewer(ctx), courseId)));
  return list;
}

builder.objectFields(CourseRef, (t) => ({
  rooms: t.field({
    type: [RoomRef],
    description: 'The rooms of this course the viewer belongs in: the course room first, then by latest message.',
    resolve: async (c, _a, ctx) => (await roomListOf(ctx, c.id)).rooms,
  }),
  roomsCursor: t.string({
    description:
      'The position of the room list (`rooms`, read together with it): pass as `after` to chatActivity to follow the list from here, with nothing missed in between. Opaque; it belongs to this viewer and course.',
    resolve: async (c, _a, ctx) => (await roomListOf(ctx, c.id)).cursor,
  }),
}));

builder.queryFields((t) => ({
  room: t.field({
    type: RoomRef,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => ctx.services.rooms.getRoom(requireViewer(ctx), String(id)),
  }),
  searchMessages: t.field({
    type: SearchConnection,
    description: 'Full-text search over the rooms of a course the viewer can read, newest first. Words match as prefixes.',
    args: { courseId: t.arg.id({ required: true }), query: t.arg.string({ required: true }), first: t.arg.int(), after: t.arg.string() },
    resolve: (_r, { courseId, query, first, after }, ctx) =>
      ctx.services.rooms.search(requireViewer(ctx), String(courseId), query, { first, after }),
  }),
}));

const SendMessageInput = builder.inputType('SendMessageInput', {
  fields: (t) => ({
    roomId: t.id({ required: true }),
    clientId: t.string({
      required: true,
      description: 'A fresh id (UUID) per message; a resend with the same id returns the same message.',
    }),
    body: t.string({ required: true }),
    kind: t.field({ type: MessageKindEnum, description: 'TEXT (default) or CODE.' }),
    language: t.string({ description: 'For CODE: the language, e.g. "python".' }),
    replyToId: t.id(),
    mentionIds: t.idList({
      description:
        'Course members mentioned (they are notified if they can read the room). "@Full Name" written in the text mentions that member of the room too.',
    }),
    announce: t.boolean({
      description:
        "Post it as the course room's announcement (staff only, see Room.canAnnounce): pinned at the top for everyone, and every member of the course notified once (instead of mention and reply notifications).",
    }),
  }),
});

builder.mutationFields((t) => ({
  sendMessage: t.field({
    type: MessageRef,
    args: { input: t.arg({ type: SendMessageInput, required: true }) },
    resolve: (_r, { input }, ctx) => {
      if (input.kind === 'system') throw new AppError('BAD_USER_INPUT', 'System messages are written by the tool.', { field: 'kind' });
      return ctx.services.rooms.send(requireViewer(ctx), {
        roomId: String(input.roomId),
        clientId: input.clientId,
        body: input.body,
        kind: input.kind ?? 'text',
        language: input.language,
        replyToId: input.replyToId == null ? null : String(input.replyToId),
        mentionIds: input.mentionIds?.map(String),
        announce: input.announce,
      });
    },
  }),
  editMessage: t.field({
    type: MessageRef,
    args: { id: t.arg.id({ required: true }), body: t.arg.string({ required: true }), language: t.arg.string() },
    resolve: (_r, { id, body, language }, ctx) =>
      ctx.services.rooms.edit(requireViewer(ctx), String(id), { body, ...(language !== undefined ? { language } : {}) }),
  }),
  deleteMessage: t.field({
    type: MessageRef,
    description: "Deletes one's own message, or (instructors) anyone's in course, group and live rooms.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => ctx.services.rooms.delete(requireViewer(ctx), String(id)),
  }),
  setReaction: t.field({
    type: MessageRef,
    args: { messageId: t.arg.id({ required: true }), emoji: t.arg.string({ required: true }), on: t.arg.boolean({ required: true }) },
    resolve: (_r, { messageId, emoji, on }, ctx) => ctx.services.rooms.react(requireViewer(ctx), String(messageId), emoji, on),
  }),
  markRoomRead: t.string({
    description: 'Moves the read marker forward to `seq` (never back); returns the marker.',
    args: { roomId: t.arg.id({ required: true }), seq: t.arg.string({ required: true }) },
    resolve: async (_r, { roomId, seq }, ctx) =>
      String(await ctx.services.rooms.markRead(requireViewer(ctx), String(roomId), parseSeqCursor(seq) ?? 0)),
  }),
  pinAnnouncement: t.field({
    type: RoomRef,
    description:
      'Makes a message of the course room its announcement (staff), replacing the one pinned: shown at the top for everyone, and every member of the course notified (once per message). Returns the room.',
    args: { messageId: t.arg.id({ required: true }) },
    resolve: async (_r, { messageId }, ctx) => {
      const viewer = requireViewer(ctx);
      return ctx.services.rooms.getRoom(viewer, await ctx.services.rooms.announcements.pin(viewer, String(messageId)));
    },
  }),
  unpinAnnouncement: t.field({
    type: RoomRef,
    description: "Takes the course room's announcement down (staff); the message stays in the room. Returns the room.",
    args: { roomId: t.arg.id({ required: true }) },
    resolve: async (_r, { roomId }, ctx) => {
      const viewer = requireViewer(ctx);
      await ctx.services.rooms.announcements.unpin(viewer, String(roomId));
      return ctx.services.rooms.getRoom(viewer, String(roomId));
    },
  }),
  setTyping: t.boolean({
    description: 'Say you are typing (re-send every few seconds while you are; it expires after 6 s) or stopped.',
    args: { roomId: t.arg.id({ required: true }), typing: t.arg.boolean({ required: true }) },
    resolve: (_r, { roomId, typing }, ctx) => ctx.services.rooms.setTyping(requireViewer(ctx), String(roomId), typing),
  }),
  createGroupRoom: t.field({
    type: RoomRef,
    args: {
      courseId: t.arg.id({ required: true }),
      name: t.arg.string({ required: true }),
      topic: t.arg.string(),
      memberIds: t.arg.idList(),
    },
    resolve: (_r, { courseId, name, topic, memberIds }, ctx) =>
      ctx.services.rooms.createGroupRoom(requireViewer(ctx), String(courseId), { name, topic, memberIds: memberIds?.map(String) }),
  }),
  updateRoom: t.field({
    type: RoomRef,
    args: { id: t.arg.id({ required: true }), name: t.arg.string(), topic: t.arg.string(), archived: t.arg.boolean() },
    resolve: (_r, { id, name, topic, archived }, ctx) =>
      ctx.services.rooms.updateRoom(requireViewer(ctx), String(id), { name, ...(topic !== undefined ? { topic } : {}), archived }),
  }),
  addRoomMembers: t.field({
    type: RoomRef,
    args: { roomId: t.arg.id({ required: true }), userIds: t.arg.idList({ required: true }) },
    resolve: (_r, { roomId, userIds }, ctx) => ctx.services.rooms.addMembers(requireViewer(ctx), String(roomId), userIds.map(String)),
  }),
  removeRoomMember: t.boolean({
    description: 'Removes someone from a group room (instructors), or leaves it (your own id).',
    args: { roomId: t.arg.id({ required: true }), userId: t.arg.id({ required: true }) },
    resolve: (_r, { roomId, userId }, ctx) => ctx.services.rooms.removeMember(requireViewer(ctx), String(roomId), String(userId)),
  }),
  setRoomMemberMuted: t.boolean({
    args: { roomId: t.arg.id({ required: true }), userId: t.arg.id({ required: true }), muted: t.arg.boolean({ required: true }) },
    resolve: (_r, { roomId, userId, muted }, ctx) => ctx.services.rooms.setMuted(requireViewer(ctx), String(roomId), String(userId), muted),
  }),
  openDirectRoom: t.field({
    type: RoomRef,
    description:
      'The direct conversation with another member of the course (created on first use). Not with or by a guest of the course (FORBIDDEN, reason GUEST).',
    args: { courseId: t.arg.id({ required: true }), userId: t.arg.id({ required: true }) },
    resolve: (_r, { courseId, userId }, ctx) => ctx.services.rooms.openDirectRoom(requireViewer(ctx), String(courseId), String(userId)),
  }),
  openTutorRoom: t.field({
    type: RoomRef,
    description:
      "The viewer's private room with the course's AI tutor (created on first use). Not for a guest of the course (FORBIDDEN, reason GUEST).",
    args: { courseId: t.arg.id({ required: true }) },
    resolve: (_r, { courseId }, ctx) => ctx.services.rooms.openTutorRoom(requireViewer(ctx), String(courseId)),
  }),
}));

// ------------------------------------------------------------ subscriptions

/** One event of a room: a stored change (with a cursor) or an ephemeral signal (typing, read receipt). */
interface RoomEventView {
  cursor: string | null;
  type:
    | 'MESSAGE_ADDED'
    | 'MESSAGE_EDITED'
    | 'MESSAGE_DELETED'
    | 'REACTIONS_CHANGED'
    | 'ROOM_UPDATED'
    | 'MEMBERS_CHANGED'
    | 'ANNOUNCEMENT_CHANGED'
    | 'TYPING'
    | 'READ'
    | 'TUTOR';
  at: string;
  message: MessageView | null;
  userId: string | null;
  userName: string | null;
  typing: boolean | null;
  readSeq: string | null;
  change: string | null;
  expiresAt: string | null;
  tutor: TutorSignal | null;
  announcement: AnnouncementView | null;
}

const EVENT_TYPES: Record<RoomEvent['type'], RoomEventView['type']> = {
  'message.added': 'MESSAGE_ADDED',
  'message.edited': 'MESSAGE_EDITED',
  'message.deleted': 'MESSAGE_DELETED',
  'reactions.changed': 'REACTIONS_CHANGED',
  'room.updated': 'ROOM_UPDATED',
  'members.changed': 'MEMBERS_CHANGED',
  'announcement.changed': 'ANNOUNCEMENT_CHANGED',
};

const RoomEventTypeEnum = builder.enumType('RoomEventType', {
  values: [...new Set(Object.values(EVENT_TYPES)), 'TYPING', 'READ', 'TUTOR'] as const,
});

const TutorStateEnum = builder.enumType('TutorReplyState', {
  values: ['queued', 'thinking', 'streaming', 'done', 'failed', 'cancelled', 'refused'].map((v) => v.toUpperCase()) as [
    'QUEUED',
    'THINKING',
    'STREAMING',
    'DONE',
    'FAILED',
    'CANCELLED',
    'REFUSED',
  ],
});
const TutorSignalRef = builder.objectRef<TutorSignal>('TutorSignal').implement({
  description: "The AI tutor's reply as it is produced: the text so far while STREAMING; the final message arrives as MESSAGE_ADDED.",
  fields: (t) => ({
    requestId: t.exposeID('requestId', { description: 'Pass to cancelTutorReply or retryTutorReply.' }),
    questionId: t.exposeID('questionId'),
    state: t.field({ type: TutorStateEnum, resolve: (s) => s.state.toUpperCase() as 'DONE' }),
    text: t.exposeString('text'),
  }),
});

function toRoomEvent(d: Delivery<RoomEvent, RoomSignal>): RoomEventView | null {
  const blank = {
    message: null,
    userId: null,
    userName: null,
    typing: null,
    readSeq: null,
    change: null,
    expiresAt: null,
    tutor: null,
    announcement: null,
  };
  if (d.kind === 'signal') {
    const s = d.signal;
    const at = new Date().toISOString();
    const expiresAt = new Date(s.expiresAt).toISOString();
    switch (s.type) {
      case 'typing':
        return {
          ...blank,
          cursor: null,
          type: 'TYPING',
          at,
          userId: s.payload.userId ?? null,
          userName: s.payload.userName ?? null,
          typing: !!s.payload.typing,
          expiresAt,
        };
      case 'read':
        return {
          ...blank,
          cursor: null,
          type: 'READ',
          at,
          userId: s.payload.userId ?? null,
          readSeq: String(s.payload.seq ?? 0),
          expiresAt,
        };
      case 'tutor': {
        const t = s.payload;
        return {
          ...blank,
          cursor: null,
          type: 'TUTOR',
          at,
          expiresAt,
          tutor: { requestId: t.requestId, questionId: t.questionId, state: t.state, text: t.text },
        };
      }
      default:
        return null;
    }
  }
  const ev = d.event;
  const type = EVENT_TYPES[ev.type];
  if (!type) return null;
  const base = { ...blank, cursor: String(ev.seq), type, at: ev.at };
  switch (ev.type) {
    case 'message.added':
      // A new message's seq is its event's.
      return { ...base, message: { ...ev.payload.message, seq: ev.seq } };
    case 'message.edited':
    case 'message.deleted':
    case 'reactions.changed':
      return { ...base, message: ev.payload.message ?? null };
    case 'members.changed':
      return { ...base, userId: ev.payload.userId ?? null, change: ev.payload.change ?? null };
    case 'room.updated':
      return base;
    case 'announcement.changed':
      return { ...base, announcement: ev.payload.announcement ?? null };
  }
}

const RoomEventRef = builder.objectRef<RoomEventView>('RoomEvent').implement({
  description: 'A change in a room (with a cursor) or a signal (TYPING, READ: no cursor, they expire).',
  fields: (t) => ({
    cursor: t.exposeString('cursor', { nullable: true, description: 'Pass as `after` to resume right after this event.' }),
    type: t.field({ type: RoomEventTypeEnum, resolve: (e) => e.type }),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
    message: t.field({ type: MessageRef, nullable: true, resolve: (e) => e.message }),
    userId: t.exposeID('userId', { nullable: true, description: 'Who is typing, has read, or whose membership changed.' }),
    userName: t.exposeString('userName', { nullable: true }),
    typing: t.exposeBoolean('typing', { nullable: true }),
    readSeq: t.exposeString('readSeq', { nullable: true, description: 'READ: the reader read everything up to this seq.' }),
    change: t.exposeString('change', { nullable: true, description: 'MEMBERS_CHANGED: added, removed, muted or unmuted.' }),
    expiresAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Signals: when to forget it unless re-sent.',
      resolve: (e) => e.expiresAt,
    }),
    tutor: t.field({ type: TutorSignalRef, nullable: true, description: 'TUTOR: a tutor reply in progress.', resolve: (e) => e.tutor }),
    announcement: t.field({
      type: AnnouncementRef,
      nullable: true,
      description: 'ANNOUNCEMENT_CHANGED: the announcement now pinned; null when it was taken down.',
      resolve: (e) => e.announcement,
    }),
  }),
});

/** The room list's live feed: new messages in any of the viewer's rooms, their own reads, room list changes. */
interface ChatActivityView {
  type: 'MESSAGE' | 'READ' | 'ROOMS_CHANGED' | 'ROOM_UPDATED' | 'ANNOUNCEMENT';
  roomId: string;
  message: MessageView | null;
  readSeq: string | null;
  announcement?: AnnouncementView | null;
}
const ChatActivityTypeEnum = builder.enumType('ChatActivityType', {
  values: ['MESSAGE', 'READ', 'ROOMS_CHANGED', 'ROOM_UPDATED', 'ANNOUNCEMENT'] as const,
});
const ChatActivityRef = builder.objectRef<ChatActivityView>('ChatActivity').implement({
  description:
    "For room lists: MESSAGE (a new message), READ (the viewer read a room in another tab), ROOMS_CHANGED (refetch the list), ROOM_UPDATED, ANNOUNCEMENT (the room's announcement changed).",
  fields: (t) => ({
    type: t.field({ type: ChatActivityTypeEnum, resolve: (a) => a.type }),
    roomId: t.exposeID('roomId'),
    message: t.field({ type: MessageRef, nullable: true, resolve: (a) => a.message }),
    readSeq: t.exposeString('readSeq', { nullable: true }),
    announcement: t.field({
      type: AnnouncementRef,
      nullable: true,
      description: 'ANNOUNCEMENT: the announcement now pinned in the room; null when it was taken down.',
      resolve: (a) => a.announcement ?? null,
    }),
  }),
});

/**
 * Merges the live streams of every room the viewer reads in a course with the viewer's own stream. Rooms
 * joined or left meanwhile are followed or dropped as the `rooms.changed` events arrive.
 */
/**
 * A room event as the room list sees it: one object per event for every reader (the hub hands every listener the
 * same event object), so the WebSocket transport renders it once for all (`sharedPayload`).
 */
const activityOf = new WeakMap<StreamEvent<RoomEvent>, ChatActivityView | null>();
function roomActivity(ev: StreamEvent<RoomEvent>, roomId: string): ChatActivityView | null {
  let view = activityOf.get(ev);
  if (view === undefined) {
    view =
      ev.type === 'message.added'
        ? { type: 'MESSAGE', roomId, message: { ...ev.payload.message, seq: ev.seq }, readSeq: null }
        : ev.type === 'room.updated'
          ? { type: 'ROOM_UPDATED', roomId, message: null, readSeq: null }
          : ev.type === 'announcement.changed'
            ? { type: 'ANNOUNCEMENT', roomId, message: null, readSeq: null, announcement: ev.payload.announcement }
            : null;
    activityOf.set(ev, view);
  }
  return view;
}

/**
 * `start`: where each stream is followed from (the positions of Course.roomsCursor, which the subscribe resolver
 * parsed after checking the course); null: from now on.
 */
async function* chatActivity(
  services: Services,
  viewer: Viewer,
  courseId: string,
  start: Map<string, number> | null,
  signal: AbortSignal | undefined,
): AsyncGenerator<ChatActivityView> {
  const { rooms, realtime, access } = services;
  const ownStream = viewer.kind === 'session' ? userStream(viewer.userId) : null;
  const ownAfter = ownStream && start ? start.get(ownStream) : undefined;
  const out = new AsyncQueue<ChatActivityView>();
  const followed = new Map<string, AbortController>();
  /** The viewer's own stream, kept apart from the rooms: `sync` drops whatever is not a room of the list. */
  const own = new AbortController();
  const stopAll = () => {
    own.abort();
    for (const c of followed.values()) c.abort();
    out.end();
  };
  onAbort(signal, stopAll);
  const pump = async <E extends EventShape, S extends EventShape>(
    gen: AsyncGenerator<Delivery<E, S>>,
    onDelivery: (d: Delivery<E, S>) => void,
    onError: (err: unknown) => void = (err) => out.end(err),
  ) => {
    try {
      for await (const d of gen) onDelivery(d);
    } catch (err) {
      onError(err);
    }
  };
  /** Follows a room from `after` (its head when the list was read), so nothing between the two is missed. */
  const follow = (roomId: string, after: number) => {
    if (followed.has(roomId)) return;
    const c = new AbortController();
    followed.set(roomId, c);
    void pump(
      realtime.subscribe(roomStream(roomId), { after, signal: c.signal, authorize: () => rooms.access.canReadRoom(viewer, roomId) }),
      (d) => {
        if (d.kind !== 'event') return;
        const view = roomActivity(d.event, roomId);
        if (view) out.push(view);
      },
      (err) => {
        // Removed from this room: drop the room, not the whole feed (its `rooms.changed` follows on the own
        // stream); removed from the course: end the feed.
        if (err instanceof AppError && err.code === 'FORBIDDEN') {
          if (followed.get(roomId) === c) followed.delete(roomId);
          access.canReadCourse(viewer, courseId).then(
            (ok) => ok || out.end(err),
            (e: unknown) => out.end(e),
          );
        } else out.end(err);
      },
    );
  };
  /**
   * Follows the rooms of the list as it is now and drops the others. The first sync starts each room of the cursor
   * from its position there; a room the cursor does not name (joined since, or newly visible) is followed from its
   * head now, and a ROOMS_CHANGED tells the reader to load the list again (which holds everything up to that head).
   * Syncs run one at a time, so the cursor's positions are never overtaken by a later sync's heads.
   */
  let pending = start;
  let syncing: Promise<void> = Promise.resolve();
  const sync = (): Promise<void> =>
    (syncing = syncing
      .catch(() => {})
      .then(async () => {
        const list = await rooms.listRooms(viewer, courseId);
        const from = pending;
        pending = null;
        const ids = new Set(list.map((r) => r.id));
        for (const r of list) follow(r.id, from?.get(roomStream(r.id)) ?? r.lastSeq);
        for (const [id, c] of followed) {
          if (ids.has(id)) continue;
          c.abort();
          followed.delete(id);
        }
        if (from) {
          const streams = new Set<string>(list.map((r) => roomStream(r.id)));
          const added = list.find((r) => !from.has(roomStream(r.id)))?.id;
          // A stream name is `kind:id`: a room the cursor named that is no longer in the list.
          const gone = [...from.keys()].find((k) => k !== ownStream && !streams.has(k));
          const roomId = added ?? gone?.slice(gone.indexOf(':') + 1);
          if (roomId) out.push({ type: 'ROOMS_CHANGED', roomId, message: null, readSeq: null });
        }
      }));
  try {
    if (ownStream) {
      void pump(realtime.subscribe(ownStream, { signal: own.signal, signals: true, after: ownAfter ?? null }), (d) => {
        if (d.kind === 'signal' && d.signal.type === 'read') {
          const p = d.signal.payload;
          out.push({ type: 'READ', roomId: p.roomId, message: null, readSeq: String(p.seq) });
        } else if (d.kind === 'event' && d.event.type === 'rooms.changed') {
          const p = d.event.payload;
          if (p.courseId !== courseId) return;
          void sync()
            .then(() => out.push({ type: 'ROOMS_CHANGED', roomId: p.roomId, message: null, readSeq: null }))
            .catch((err: unknown) => out.end(err));
        }
      });
    }
    await sync();
    for (;;) {
      const a = await out.next();
      if (a === undefined) return;
      if (!(await access.canReadCourse(viewer, courseId))) throw new AppError('FORBIDDEN', 'You no longer have access to this course.');
      yield a;
    }
  } finally {
    signal?.removeEventListener('abort', stopAll);
    own.abort();
    for (const c of followed.values()) c.abort();
  }
}

builder.subscriptionFields((t) => ({
  roomEvents: t.field({
    type: RoomEventRef,
    description:
      "A room's changes and signals. With `after` (`Room.lastSeq`, or the last event's `cursor`), first replays every change after that cursor: no gap, no duplicate.",
    args: { roomId: t.arg.id({ required: true }), after: t.arg.string() },
    // A feed: the same payload for every reader, so the WebSocket transport serves a room's subscribers as one
    // fan-out group (realtime/fanout.ts); each reader's right is still checked on every event and signal.
    extensions: { feed: true },
    subscribe: async (_r, { roomId, after }, ctx) => {
      const viewer = requireViewer(ctx);
      const id = String(roomId);
      const { rooms, realtime } = ctx.services;
      await rooms.access.requireRoomRead(viewer, id);
      return realtime.feed({
        stream: roomStream(id),
        after: parseSeqCursor(after),
        signals: true,
        authorizeNow: () => rooms.access.canReadRoomNow(viewer, id),
        authorize: () => rooms.access.canReadRoom(viewer, id),
        map: toRoomEvent,
        signal: ctx.signal,
      });
    },
    resolve: (e) => e,
  }),
  chatActivity: t.field({
    type: ChatActivityRef,
    description:
      "Live updates for a course's room list: new messages, the viewer's reads in other tabs, rooms joined or left. With `after` (`Course.roomsCursor`), first replays what each room and the viewer's own stream committed since the list was read (reads in other tabs are signals, not replayed: load the list again after a reconnect). Per viewer: it follows the viewer's rooms and own stream (a room event is still rendered once for all the lists it reaches).",
    args: { courseId: t.arg.id({ required: true }), after: t.arg.string() },
    // Every reader's room list gets the same object for the same room event: rendered once over WebSocket.
    extensions: { sharedPayload: true },
    subscribe: async (_r, { courseId, after }, ctx) => {
      const viewer = requireViewer(ctx);
      const id = String(courseId);
      await ctx.services.access.requireCourseRead(viewer, id);
      const start = parseRoomListCursor(viewer, id, after);
      // A session's list follows its own stream too: its cursor must say from where.
      if (start && viewer.kind === 'session' && !start.has(userStream(viewer.userId)))
        throw new AppError('BAD_CURSOR', 'The cursor is not valid for this list.');
      return chatActivity(ctx.services, viewer, id, start, ctx.signal);
    },
    resolve: (a) => a,
  }),
}));
