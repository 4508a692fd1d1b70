/**
 * The live data of rooms: the room stream (`room:<id>`: stored changes, each carrying the message's snapshot, and
 * the signals typing, read and tutor), and what rooms put on a user's own stream (notifications/events.ts).
 */
import { defineStream } from '../realtime/events.js';
import type { AnnouncementView, MessageView } from './views.js';
import type { TutorRoomSignal } from '../tutor/events.js';

export type MembersChange = 'added' | 'removed' | 'muted' | 'unmuted';

export type RoomEvent =
  /** A new message; its event's seq is the message's (the snapshot's `seq` is null). System lines carry `system`. */
  | { type: 'message.added'; payload: { message: MessageView; system?: Record<string, unknown> } }
  | { type: 'message.edited'; payload: { message: MessageView } }
  /** The snapshot of the deleted message (its text already erased). */
  | { type: 'message.deleted'; payload: { message: MessageView } }
  | { type: 'reactions.changed'; payload: { message: MessageView } }
  | { type: 'room.updated'; payload: { name: string; topic: string | null; archived: boolean } }
  | { type: 'members.changed'; payload: { userId: string; change: MembersChange } }
  /** The announcement pinned at the top of the room changed: pinned, replaced, its message edited, or gone (null). */
  | { type: 'announcement.changed'; payload: { announcement: AnnouncementView | null } };

export type RoomSignal =
  | { type: 'typing'; payload: { userId: string; userName: string; typing: boolean; tenantId: string } }
  /** A read receipt (direct, group and tutor rooms): the reader read up to `seq`. */
  | { type: 'read'; payload: { userId: string; roomId: string; seq: number } }
  | TutorRoomSignal;

export const roomStream = defineStream<RoomEvent, RoomSignal>('room');

/** On the user's stream: the user's room list changed (joined or left a room). */
export type UserRoomsEvent = { type: 'rooms.changed'; payload: { roomId: string; courseId: string; change: 'added' | 'removed' } };
/** On the user's stream: the user read a room (their other tabs follow). */
export type UserReadSignal = { type: 'read'; payload: { userId: string; roomId: string; seq: number; tenantId: string } };
