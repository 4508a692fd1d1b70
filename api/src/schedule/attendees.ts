/**
 * Who attends a session: course audience, every active member of the course but guests and the host; student
 * audience, the student; room audience, the active members of the group room but the host. The host is never an
 * attendee of their own session. Used for conflicts, notifications, reminders and attendance.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { memberships } from '../courses/tables.js';
import { roomMembers } from '../rooms/tables.js';
import type { Tx } from '../db/client.js';
import { isGuest } from '../courses/roles.js';

export interface AttendeeSource {
  id: string;
  courseId: string;
  audience: string;
  hostId: string;
  studentId: string | null;
  roomId: string | null;
}

/** The attendees of each session (user ids), read in two statements whatever the number of sessions. */
export async function attendeesOf(db: Tx, sessions: readonly AttendeeSource[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const courseIds = [...new Set(sessions.filter((s) => s.audience === 'course').map((s) => s.courseId))];
  const roomIds = [...new Set(sessions.filter((s) => s.audience === 'room' && s.roomId).map((s) => s.roomId!))];
  const courseMembers = new Map<string, string[]>();
  if (courseIds.length) {
    const found = await db
      .select({ courseId: memberships.courseId, userId: memberships.userId, roles: memberships.roles })
      .from(memberships)
      .where(and(inArray(memberships.courseId, courseIds), eq(memberships.status, 'active')));
    for (const m of found) {
      if (isGuest(m.roles)) continue;
      const list = courseMembers.get(m.courseId) ?? [];
      list.push(m.userId);
      courseMembers.set(m.courseId, list);
    }
  }
  const roomPeople = new Map<string, string[]>();
  if (roomIds.length) {
    const found = await db
      .select({ roomId: roomMembers.roomId, userId: roomMembers.userId })
      .from(roomMembers)
      .where(and(inArray(roomMembers.roomId, roomIds), eq(roomMembers.status, 'active')));
    for (const m of found) {
      const list = roomPeople.get(m.roomId) ?? [];
      list.push(m.userId);
      roomPeople.set(m.roomId, list);
    }
  }
  for (const s of sessions) {
    const all =
      s.audience === 'course'
        ? (courseMembers.get(s.courseId) ?? [])
        : s.audience === 'student'
          ? s.studentId
            ? [s.studentId]
            : []
          : s.roomId
            ? (roomPeople.get(s.roomId) ?? [])
            : [];
    out.set(
      s.id,
      [...new Set(all)].filter((u) => u !== s.hostId),
    );
  }
  return out;
}
