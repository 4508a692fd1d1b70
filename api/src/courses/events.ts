/** A course's activity stream (`course:<id>`): course changes and members joining, changing roles, leaving. */
import { defineStream } from '../realtime/events.js';
import type { CourseRole } from './roles.js';

export type CourseEvent =
  | { type: 'course.created' | 'course.updated'; payload: { title: string; label: string | null } }
  | { type: 'member.joined' | 'member.updated'; payload: { userId: string; roles: CourseRole[] } }
  | { type: 'member.removed'; payload: { userId: string } };

export const courseStream = defineStream<CourseEvent>('course');
