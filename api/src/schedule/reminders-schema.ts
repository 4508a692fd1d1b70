/** Reminders in GraphQL: each reminder's state per attendee, for a session's host and the course's staff. */
import { builder } from '../graphql/builder.js';
import { requireViewer } from '../graphql/viewer.js';
import type { ReminderView } from './reminders.js';
import { ScheduleSessionRef } from './schema.js';
import { AppError } from '../errors.js';

const ReminderStateEnum = builder.enumType('ReminderState', {
  description: 'scheduled (its job waits), sent, skipped (the attendee muted reminders), failed (with the error), cancelled.',
  values: {
    SCHEDULED: { value: 'scheduled' },
    SENT: { value: 'sent' },
    SKIPPED: { value: 'skipped' },
    FAILED: { value: 'failed' },
    CANCELLED: { value: 'cancelled' },
  } as const,
});

export const ScheduleReminderRef = builder.objectRef<ReminderView>('ScheduleReminder').implement({
  description: 'One reminder of one attendee of a session, at one offset before its start.',
  fields: (t) => ({
    userId: t.exposeID('userId'),
    userName: t.exposeString('userName'),
    offsetMinutes: t.exposeInt('offsetMinutes', { description: 'How long before the start, in minutes.' }),
    dueAt: t.field({ type: 'DateTime', resolve: (r) => r.dueAt }),
    state: t.field({ type: ReminderStateEnum, resolve: (r) => r.state }),
    sentAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.sentAt }),
    error: t.exposeString('error', { nullable: true, description: 'Why it failed (failed only).' }),
  }),
});

builder.queryFields((t) => ({
  sessionReminders: t.field({
    type: [ScheduleReminderRef],
    description:
      "Every reminder of a session, per attendee and offset, with its state: for the session's host and the course's staff (FORBIDDEN for other members, NOT_FOUND for a session the viewer cannot read).",
    args: { sessionId: t.arg.id({ required: true }) },
    resolve: (_r, { sessionId }, ctx) => ctx.services.reminders.remindersOf(requireViewer(ctx), String(sessionId)),
  }),
}));

builder.objectField(ScheduleSessionRef, 'reminders', (t) =>
  t.field({
    type: [ScheduleReminderRef],
    nullable: true,
    description:
      "Each reminder's state per attendee and offset (as sessionReminders): null unless the viewer hosts the session or is the course's staff.",
    resolve: async (s, _a, ctx) => {
      try {
        return await ctx.services.reminders.remindersOf(requireViewer(ctx), s.id);
      } catch (err) {
        if (err instanceof AppError && (err.code === 'FORBIDDEN' || err.code === 'NOT_FOUND')) return null;
        throw err;
      }
    },
  }),
);
