/**
 * A user's own stream (`user:<id>`): the user's notifications, and what other features tell the user's tabs
 * (rooms: the room list changed, a room was read; the tutor: the budget after a reply). Only that user reads it.
 */
import { defineStream } from '../realtime/events.js';
import type { NotificationView } from './service.js';
import type { UserReadSignal, UserRoomsEvent } from '../rooms/events.js';
import type { TutorUsageEvent } from '../tutor/events.js';

/** A notification as stored in its event: the dates come back from the log as ISO strings. */
export type NotificationSnapshot = Omit<NotificationView, 'createdAt' | 'readAt'> & {
  createdAt: Date | string;
  readAt: Date | string | null;
};

export type NotificationEvent =
  | { type: 'notification.created'; payload: { notification: NotificationSnapshot; unreadCount: number } }
  | { type: 'notification.read'; payload: { ids: string[]; all: boolean; unreadCount: number } };

export type UserEvent = NotificationEvent | UserRoomsEvent | TutorUsageEvent;
export type UserSignal = UserReadSignal;

export const userStream = defineStream<UserEvent, UserSignal>('user');
