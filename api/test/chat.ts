/**
 * Helpers for the chat tests (rooms, notifications, presence): more course members, GraphQL operations and
 * their selections, and direct database counts to check that a refusal wrote nothing.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { and, count, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import type { Core } from '../src/app.js';
import type { Viewer } from '../src/auth/viewer.js';
import type { CourseRole } from '../src/courses/roles.js';
import { messages, roomMembers, rooms } from '../src/rooms/tables.js';
import { notifications } from '../src/notifications/tables.js';
import { upsertUser, type User } from '../src/users/service.js';
import { gql, poll, type Fixture, type TestApp } from './harness.js';

export type GqlBody = { data?: any; errors?: { message: string; extensions?: { code?: string; [k: string]: unknown } }[] };

/** The code of the first error of a response. */
export const code = (body: GqlBody) => body.errors?.[0]?.extensions?.code;

/**
 * The code of the first error a subscription reported: refused at the start, graphql-ws reports the list of
 * GraphQL errors; ended later, the error of the event.
 */
export const subCode = (errors: unknown[]) => (errors.flat()[0] as { extensions?: { code?: string } } | undefined)?.extensions?.code;

/** The data of a response that must have succeeded. */
export function ok(r: { body: GqlBody }): any {
  expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
  return r.body.data;
}

/** A fresh clientId for a message. */
export const cid = () => randomUUID();

export interface Person {
  user: User;
  token: string;
  viewer: Viewer;
}

/** The session viewer of a user, for the few calls that go to the services directly. */
export const sessionViewer = (fx: Fixture, userId: string, roles: CourseRole[]): Viewer => ({
  kind: 'session',
  tenantId: fx.tenant.id,
  userId,
  courseId: fx.course.id,
  roles,
  expiresAt: Date.now() + 3_600_000,
});

/** Another member of the fixture's course (as seed makes its two): a user, a membership and a session. */
export async function addMember(core: Core, fx: Fixture, name: string, roles: CourseRole[] = ['learner']): Promise<Person> {
  const user = await upsertUser(core.services.database.db, {
    tenantId: fx.tenant.id,
    subject: `m-${randomBytes(6).toString('hex')}`,
    name,
  });
  await core.services.courses.setMembership(fx.tenant.id, fx.course.id, user.id, roles);
  const token = await core.services.sessions.issue({ tenantId: fx.tenant.id, userId: user.id, courseId: fx.course.id, roles });
  return { user, token, viewer: sessionViewer(fx, user.id, roles) };
}

export const instructorOf = (fx: Fixture): Person => ({
  user: fx.instructor,
  token: fx.instructorToken,
  viewer: sessionViewer(fx, fx.instructor.id, ['instructor']),
});
export const learnerOf = (fx: Fixture): Person => ({
  user: fx.learner,
  token: fx.learnerToken,
  viewer: sessionViewer(fx, fx.learner.id, ['learner']),
});

/** A read-only (or read/write) API key of the fixture's tenant, made by its instructor. */
export async function apiKeyOf(core: Core, fx: Fixture, scopes: string[] = ['read']): Promise<string> {
  const { secret } = await core.services.apiKeys.create(instructorOf(fx).viewer, { name: 'integration', scopes });
  return secret;
}

export const MESSAGE = `id roomId seq kind body language clientId createdAt editedAt deleted deletedBy
  author { id name } replyTo { id authorName excerpt deleted } mentions { id name } reactions { emoji count userIds }`;
export const ROOM = `id courseId kind name topic archived lastSeq lastReadSeq unreadCount muted canPost postRefusal canModerate`;

export const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { ${MESSAGE} } }`;
export const ROOM_Q = `query($id: ID!) { room(id: $id) { ${ROOM} } }`;
export const ROOMS = `query($id: ID!) { course(id: $id) { rooms { ${ROOM} } } }`;
export const HISTORY = `query($id: ID!, $first: Int, $after: String, $last: Int, $before: String, $around: ID) {
  room(id: $id) { messages(first: $first, after: $after, last: $last, before: $before, around: $around) {
    edges { cursor node { ${MESSAGE} } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`;
export const CREATE_GROUP = `mutation($courseId: ID!, $name: String!, $topic: String, $memberIds: [ID!]) {
  createGroupRoom(courseId: $courseId, name: $name, topic: $topic, memberIds: $memberIds) { ${ROOM} } }`;
export const ADD_MEMBERS = `mutation($roomId: ID!, $userIds: [ID!]!) { addRoomMembers(roomId: $roomId, userIds: $userIds) { ${ROOM} } }`;
export const REMOVE_MEMBER = `mutation($roomId: ID!, $userId: ID!) { removeRoomMember(roomId: $roomId, userId: $userId) }`;
export const UPDATE_ROOM = `mutation($id: ID!, $name: String, $topic: String, $archived: Boolean) { updateRoom(id: $id, name: $name, topic: $topic, archived: $archived) { ${ROOM} } }`;
export const OPEN_DIRECT = `mutation($courseId: ID!, $userId: ID!) { openDirectRoom(courseId: $courseId, userId: $userId) { ${ROOM} } }`;
export const OPEN_TUTOR = `mutation($courseId: ID!) { openTutorRoom(courseId: $courseId) { ${ROOM} } }`;
export const EDIT = `mutation($id: ID!, $body: String!, $language: String) { editMessage(id: $id, body: $body, language: $language) { ${MESSAGE} } }`;
export const DELETE = `mutation($id: ID!) { deleteMessage(id: $id) { ${MESSAGE} } }`;
export const REACT = `mutation($messageId: ID!, $emoji: String!, $on: Boolean!) { setReaction(messageId: $messageId, emoji: $emoji, on: $on) { ${MESSAGE} } }`;
export const MARK_READ = `mutation($roomId: ID!, $seq: String!) { markRoomRead(roomId: $roomId, seq: $seq) }`;
export const TYPING = `mutation($roomId: ID!, $typing: Boolean!) { setTyping(roomId: $roomId, typing: $typing) }`;
export const MUTE = `mutation($roomId: ID!, $userId: ID!, $muted: Boolean!) { setRoomMemberMuted(roomId: $roomId, userId: $userId, muted: $muted) }`;
export const SEARCH = `query($courseId: ID!, $query: String!, $first: Int, $after: String) {
  searchMessages(courseId: $courseId, query: $query, first: $first, after: $after) {
    edges { cursor node { roomId roomName roomKind snippet message { id body } } } pageInfo { hasNextPage endCursor } } }`;
export const ROOM_EVENTS = `subscription($roomId: ID!, $after: String) {
  roomEvents(roomId: $roomId, after: $after) { cursor type at userId userName typing readSeq change expiresAt message { ${MESSAGE} } } }`;
export const NOTIFICATIONS = `query($unreadOnly: Boolean) { notifications(first: 100, unreadOnly: $unreadOnly) {
  edges { node { id type courseId courseTitle actorName roomId messageId excerpt read createdAt } } } unreadNotificationCount }`;

export interface Msg {
  id: string;
  roomId: string;
  seq: string;
  kind: string;
  body: string;
  language: string | null;
  clientId: string | null;
  createdAt: string;
  editedAt: string | null;
  deleted: boolean;
  deletedBy: string | null;
  author: { id: string; name: string } | null;
  replyTo: { id: string; authorName: string | null; excerpt: string; deleted: boolean } | null;
  mentions: { id: string; name: string }[];
  reactions: { emoji: string; count: number; userIds: string[] }[];
}
export interface RoomEv {
  cursor: string | null;
  type: string;
  at: string;
  userId: string | null;
  userName: string | null;
  typing: boolean | null;
  readSeq: string | null;
  change: string | null;
  expiresAt: string | null;
  message: Msg | null;
}

/** sendMessage; `extra` adds or overrides input fields. Returns the raw response. */
export function send(app: TestApp, token: string, roomId: string, body: string, extra: Record<string, unknown> = {}) {
  return gql(app.url, SEND, { input: { roomId, clientId: cid(), body, ...extra } }, token);
}

/** sendMessage that must succeed. */
export async function sendOk(app: TestApp, token: string, roomId: string, body: string, extra: Record<string, unknown> = {}): Promise<Msg> {
  return ok(await send(app, token, roomId, body, extra)).sendMessage as Msg;
}

export async function roomsOf(app: TestApp, token: string, courseId: string): Promise<any[]> {
  return ok(await gql(app.url, ROOMS, { id: courseId }, token)).course.rooms;
}

export async function courseRoomId(app: TestApp, token: string, courseId: string): Promise<string> {
  const list = await roomsOf(app, token, courseId);
  expect(list[0].kind).toBe('COURSE');
  return list[0].id as string;
}

/** Every message of a room, oldest first (at most 100). */
export async function allMessages(app: TestApp, token: string, roomId: string): Promise<Msg[]> {
  return ok(await gql(app.url, HISTORY, { id: roomId, last: 100 }, token)).room.messages.edges.map((e: { node: Msg }) => e.node);
}

const db = (app: TestApp) => app.core.services.database.db;

/** Rows in the database, to check that a refusal wrote nothing. */
export async function messageCount(app: TestApp, roomId: string): Promise<number> {
  return Number((await db(app).select({ n: count() }).from(messages).where(eq(messages.roomId, roomId)))[0]!.n);
}
export async function roomCount(app: TestApp, courseId: string): Promise<number> {
  return Number((await db(app).select({ n: count() }).from(rooms).where(eq(rooms.courseId, courseId)))[0]!.n);
}
export async function activeMemberIds(app: TestApp, roomId: string): Promise<string[]> {
  const rows = await db(app)
    .select({ userId: roomMembers.userId })
    .from(roomMembers)
    .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.status, 'active')));
  return rows.map((r) => r.userId).sort();
}
/** A user's row in a room (membership, read marker, mute), or null when none was ever written. */
export async function memberRow(app: TestApp, roomId: string, userId: string) {
  const [row] = await db(app)
    .select()
    .from(roomMembers)
    .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId)));
  return row ?? null;
}
export async function notificationCount(app: TestApp, userId: string): Promise<number> {
  return Number((await db(app).select({ n: count() }).from(notifications).where(eq(notifications.userId, userId)))[0]!.n);
}

/** Waits until `n` more server-side subscriptions are listening than `before` (no sleeping on a guess). */
export async function listening(app: TestApp, before: number, n = 1): Promise<void> {
  await poll(
    () => app.core.services.realtime.activeSubscriptions >= before + n,
    10_000,
    () => `only ${app.core.services.realtime.activeSubscriptions - before} of ${n} subscriptions listening`,
  );
}
