import { describe, expect, it } from 'vitest';
import { describeNotification, notificationTarget, shortAge } from './describe';

describe('notifications', () => {
  it('describes each type, with a fallback actor and type', () => {
    expect(describeNotification({ type: 'mention', actorName: 'Ana', courseTitle: null })).toBe('Ana mentioned you');
    expect(describeNotification({ type: 'reply', actorName: null, courseTitle: null })).toBe('Someone replied to you');
    expect(describeNotification({ type: 'direct_message', actorName: 'Ben', courseTitle: null })).toBe('Ben sent you a direct message');
    expect(describeNotification({ type: 'announcement', actorName: 'Ada', courseTitle: null })).toBe('Ada posted an announcement');
    expect(describeNotification({ type: 'tutor_budget_warning', actorName: null, courseTitle: null })).toBe(
      'Your AI tutor budget for today',
    );
    expect(describeNotification({ type: 'office_hours_soon', actorName: 'Cy', courseTitle: null })).toBe('Cy: office hours soon');
    expect(describeNotification({ type: 'reminder', actorName: null, courseTitle: null, data: { offsetMinutes: 15 } })).toBe(
      'Reminder: starts in 15 min',
    );
    expect(describeNotification({ type: 'reminder', actorName: null, courseTitle: null, data: { offsetMinutes: 1440 } })).toBe(
      'Reminder: starts in 24 h',
    );
    expect(describeNotification({ type: 'booking.made', actorName: 'Lee', courseTitle: null })).toBe('Lee booked your office hours');
    expect(describeNotification({ type: 'session.cancelled', actorName: 'Ada', courseTitle: null })).toBe(
      'A session of yours was cancelled',
    );
  });
  it('leads schedule notifications to the session on the Schedule tab', () => {
    for (const type of ['session.assigned', 'session.changed', 'session.cancelled', 'reminder', 'booking.made', 'booking.cancelled'])
      expect(notificationTarget({ type, courseId: 'c', roomId: null, messageId: null, data: { sessionId: 's', startsAt: 'x' } })).toEqual({
        path: '/courses/c/schedule',
        query: { session: 's' },
      });
    expect(
      notificationTarget({ type: 'waitlist.slot_freed', courseId: 'c', roomId: null, messageId: null, data: { windowId: 'w' } }),
    ).toEqual({
      path: '/courses/c/schedule',
      query: {},
    });
  });
  it('leads to the room and the message, or nowhere', () => {
    expect(notificationTarget({ type: 'mention', courseId: 'c', roomId: 'r', messageId: 'm' })).toEqual({
      path: '/courses/c/chat',
      query: { room: 'r', message: 'm' },
    });
    expect(notificationTarget({ type: 'announcement', courseId: 'c', roomId: 'r', messageId: 'm' })).toEqual({
      path: '/courses/c/chat',
      query: { room: 'r', message: 'm' },
    });
    expect(notificationTarget({ type: 'direct_message', courseId: 'c', roomId: 'r', messageId: null })).toEqual({
      path: '/courses/c/chat',
      query: { room: 'r' },
    });
    expect(notificationTarget({ type: 'mention', courseId: null, roomId: 'r', messageId: 'm' })).toBeNull();
    // The tutor's budget warning leads to the tutor.
    expect(notificationTarget({ type: 'tutor_budget_warning', courseId: 'c', roomId: null, messageId: null })).toEqual({
      path: '/courses/c/tutor',
      query: {},
    });
  });
  it('gives short ages', () => {
    const now = Date.parse('2026-11-23T12:00:00Z');
    expect(shortAge('2026-11-23T11:59:30Z', now)).toBe('now');
    expect(shortAge('2026-11-23T11:55:00Z', now)).toBe('5 min');
    expect(shortAge('2026-11-23T09:00:00Z', now)).toBe('3 h');
    expect(shortAge('2026-11-21T12:00:00Z', now)).toBe('2 d');
  });
});
