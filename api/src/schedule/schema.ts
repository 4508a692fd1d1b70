/**
 * Sessions in GraphQL: a course's schedule between two instants (with the `cursor` scheduleEvents follows from),
 * one session, the course's schedule settings, the mutations (create, update, move, cancel: one occurrence or this
 * and the following; attendance; settings) and the live schedule events, each checked against its subscriber.
 */
import { builder } from '../graphql/builder.js';
import { requireViewer } from '../graphql/viewer.js';
import { CourseRef } from '../courses/schema.js';
import { parseSeqCursor } from '../realtime/cursor.js';
import type { AttendanceView, ScheduleEventView, ScheduleSettingsView, SessionView } from './service.js';

const ScheduleAudienceEnum = builder.enumType('ScheduleAudience', {
  description: 'Who attends: the whole course, one student, or the members of a group room.',
  values: { COURSE: { value: 'course' }, STUDENT: { value: 'student' }, ROOM: { value: 'room' } } as const,
});
const ScheduleSessionStatusEnum = builder.enumType('ScheduleSessionStatus', {
  values: { SCHEDULED: { value: 'scheduled' }, COMPLETED: { value: 'completed' }, CANCELLED: { value: 'cancelled' } } as const,
});
const ScheduleEditScopeEnum = builder.enumType('ScheduleEditScope', {
  description: 'ONE: this occurrence; FOLLOWING: this one and every later occurrence of its series (the series is split there).',
  values: { ONE: { value: 'one' }, FOLLOWING: { value: 'following' } } as const,
});
const AttendanceMarkEnum = builder.enumType('AttendanceMark', {
  values: { PRESENT: { value: 'present' }, ABSENT: { value: 'absent' }, EXCUSED: { value: 'excused' } } as const,
});
const ScheduleEventTypeEnum = builder.enumType('ScheduleEventType', {
  description: 'What changed. SESSION_REMOVED: a session the viewer could read left their schedule (its audience or host changed).',
  values: {
    SESSION_CREATED: { value: 'session.created' },
    SESSION_UPDATED: { value: 'session.updated' },
    SESSION_CANCELLED: { value: 'session.cancelled' },
    SESSION_REMOVED: { value: 'session.removed' },
    WINDOW_PUBLISHED: { value: 'window.published' },
    WINDOW_UPDATED: { value: 'window.updated' },
    WINDOW_WITHDRAWN: { value: 'window.withdrawn' },
    BOOKING_CREATED: { value: 'booking.created' },
    BOOKING_CANCELLED: { value: 'booking.cancelled' },
    SETTINGS_UPDATED: { value: 'settings.updated' },
  } as const,
});

export const ScheduleAttendanceRef = builder.objectRef<AttendanceView>('ScheduleAttendance').implement({
  description: "One attendee's attendance and completion of a session (marked by its host or the course staff).",
  fields: (t) => ({
    userId: t.exposeID('userId'),
    userName: t.exposeString('userName'),
    attendance: t.field({
      type: AttendanceMarkEnum,
      nullable: true,
      resolve: (a) => a.attendance as 'present' | 'absent' | 'excused' | null,
    }),
    completed: t.exposeBoolean('completed'),
    markedAt: t.field({ type: 'DateTime', nullable: true, resolve: (a) => a.markedAt }),
  }),
});

export const ScheduleSessionRef = builder.objectRef<SessionView>('ScheduleSession').implement({
  description:
    'A planned session (one occurrence of a series, or a one-off; kind `booking` for an office-hours booking). Times are instants (UTC); `timeZone` is the zone whose wall-clock time it keeps (a series repeats at the same local time).',
  fields: (t) => ({
    id: t.exposeID('id'),
    courseId: t.exposeID('courseId'),
    kind: t.exposeString('kind', { description: 'session | booking' }),
    seriesId: t.exposeID('seriesId', { nullable: true }),
    recurrenceId: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'The occurrence start its series first generated (RECURRENCE-ID); kept when it moves.',
      resolve: (s) => s.recurrenceId,
    }),
    title: t.exposeString('title'),
    description: t.exposeString('description'),
    startsAt: t.field({ type: 'DateTime', resolve: (s) => s.startsAt }),
    endsAt: t.field({ type: 'DateTime', resolve: (s) => s.endsAt }),
    timeZone: t.exposeString('timeZone'),
    hostId: t.exposeID('hostId'),
    hostName: t.exposeString('hostName', { nullable: true }),
    audience: t.field({ type: ScheduleAudienceEnum, resolve: (s) => s.audience as 'course' | 'student' | 'room' }),
    studentId: t.exposeID('studentId', { nullable: true }),
    studentName: t.exposeString('studentName', { nullable: true }),
    roomId: t.exposeID('roomId', { nullable: true }),
    roomName: t.exposeString('roomName', { nullable: true }),
    location: t.exposeString('location'),
    meetingUrl: t.exposeString('meetingUrl', { nullable: true }),
    status: t.field({ type: ScheduleSessionStatusEnum, resolve: (s) => s.status as 'scheduled' | 'completed' | 'cancelled' }),
    sequence: t.exposeInt('sequence', { description: 'RFC 5545 SEQUENCE: raised on every change.' }),
    canEdit: t.boolean({
      description: 'Whether the viewer may edit, move and cancel it and mark its attendance.',
      resolve: (s, _a, ctx) => ctx.services.schedule.canEdit(requireViewer(ctx), s),
    }),
    attendance: t.field({
      type: [ScheduleAttendanceRef],
      description: "Every attendee's attendance for its host and the course staff; the viewer's own row for an attendee.",
      resolve: (s, _a, ctx) => ctx.services.schedule.attendance(requireViewer(ctx), s),
    }),
  }),
});

const ScheduleSettingsRef = builder.objectRef<ScheduleSettingsView>('ScheduleSettings').implement({
  description: "A course's schedule settings, set by an instructor (defaults: UTC, reminders 24 hours and 15 minutes before).",
  fields: (t) => ({
    courseId: t.exposeID('courseId'),
    timeZone: t.exposeString('timeZone', { description: 'IANA time zone name: the default for new sessions.' }),
    reminderOffsets: t.exposeIntList('reminderOffsets', { description: 'Minutes before a session its reminders go out.' }),
    isSet: t.boolean({ description: 'False while the defaults apply.', resolve: (s) => s.set }),
  }),
});

const CourseScheduleRef = builder.objectRef<{ sessions: SessionView[]; cursor: string }>('CourseSchedule').implement({
  fields: (t) => ({
    sessions: t.field({ type: [ScheduleSessionRef], resolve: (s) => s.sessions }),
    cursor: t.exposeString('cursor', {
      description: 'The schedule stream position these sessions reflect: pass as `after` to scheduleEvents.',
    }),
  }),
});

builder.objectFields(CourseRef, (t) => ({
  schedule: t.field({
    type: CourseScheduleRef,
    description:
      'The sessions the viewer sees that overlap [from, to) (at most 190 days), cancelled ones included, with the cursor to follow them from. Staff see every session; a learner the course-wide ones, their own and their group rooms’.',
    args: { from: t.arg({ type: 'DateTime', required: true }), to: t.arg({ type: 'DateTime', required: true }) },
    resolve: (c, { from, to }, ctx) => ctx.services.schedule.list(requireViewer(ctx), c.id, from, to),
  }),
  scheduleSettings: t.field({
    type: ScheduleSettingsRef,
    resolve: (c, _a, ctx) => ctx.services.schedule.settings(requireViewer(ctx), c.id),
  }),
}));

builder.queryFields((t) => ({
  scheduleSession: t.field({
    type: ScheduleSessionRef,
    description: 'One session (NOT_FOUND when the viewer may not read it).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => ctx.services.schedule.session(requireViewer(ctx), String(id)),
  }),
}));

const WeeklyRepeatInput = builder.inputType('WeeklyRepeatInput', {
  description:
    'Repeat weekly (in the session’s time zone) on these ISO weekdays (1 Monday … 7 Sunday; none: the first one’s), until a date or a number of times: at most 60 occurrences and a year (SERIES_TOO_LONG).',
  fields: (t) => ({
    weekdays: t.intList(),
    until: t.string({ description: 'The last date (YYYY-MM-DD, in the session’s time zone).' }),
    count: t.int(),
  }),
});

const CreateScheduleSessionInput = builder.inputType('CreateScheduleSessionInput', {
  fields: (t) => ({
    courseId: t.id({ required: true }),
    title: t.string({ required: true }),
    description: t.string(),
    startsAt: t.field({ type: 'DateTime', required: true }),
    endsAt: t.field({ type: 'DateTime', required: true }),
    timeZone: t.string({ description: 'IANA name; default: the course’s time zone.' }),
    hostId: t.id({ description: 'Default: the viewer. Staff may plan for another host (instructor, TA or mentor).' }),
    audience: t.field({ type: ScheduleAudienceEnum }),
    studentId: t.id(),
    roomId: t.id(),
    location: t.string(),
    meetingUrl: t.string(),
    repeat: t.field({ type: WeeklyRepeatInput }),
  }),
});

const UpdateScheduleSessionInput = builder.inputType('UpdateScheduleSessionInput', {
  description: 'What changes (absent fields stay). A change of start or end moves the session.',
  fields: (t) => ({
    title: t.string(),
    description: t.string(),
    startsAt: t.field({ type: 'DateTime' }),
    endsAt: t.field({ type: 'DateTime' }),
    timeZone: t.string(),
    hostId: t.id(),
    audience: t.field({ type: ScheduleAudienceEnum }),
    studentId: t.id(),
    roomId: t.id(),
    location: t.string(),
    meetingUrl: t.string({ description: 'An empty string removes the link.' }),
    status: t.field({ type: ScheduleSessionStatusEnum, description: 'SCHEDULED or COMPLETED (cancel with cancelScheduleSession).' }),
  }),
});

const idOrNull = (v: string | number | null | undefined) => (v == null ? v : String(v));

builder.mutationFields((t) => ({
  createScheduleSession: t.field({
    type: [ScheduleSessionRef],
    description:
      'Plans a session, or a weekly series (every occurrence returned). SCHEDULE_CONFLICT (extensions.conflicts: title, start, end, who) when the host or an attendee is busy, unless `force` (Save anyway).',
    args: { input: t.arg({ type: CreateScheduleSessionInput, required: true }), force: t.arg.boolean() },
    resolve: (_r, { input, force }, ctx) =>
      ctx.services.schedule.create(
        requireViewer(ctx),
        {
          ...input,
          courseId: String(input.courseId),
          hostId: idOrNull(input.hostId),
          studentId: idOrNull(input.studentId),
          roomId: idOrNull(input.roomId),
          repeat: input.repeat ? { weekdays: input.repeat.weekdays, until: input.repeat.until, count: input.repeat.count } : null,
        },
        !!force,
      ),
  }),
  updateScheduleSession: t.field({
    type: [ScheduleSessionRef],
    description: 'Edits a session, or it and the following occurrences of its series (scope FOLLOWING). Returns every changed occurrence.',
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: UpdateScheduleSessionInput, required: true }),
      scope: t.arg({ type: ScheduleEditScopeEnum, defaultValue: 'one' }),
      force: t.arg.boolean(),
    },
    resolve: (_r, { id, input, scope, force }, ctx) =>
      ctx.services.schedule.update(
        requireViewer(ctx),
        String(id),
        {
          ...input,
          hostId: idOrNull(input.hostId),
          studentId: idOrNull(input.studentId),
          roomId: idOrNull(input.roomId),
          // CANCELLED is refused by the service (cancelling has its own mutation).
          status: input.status as 'scheduled' | 'completed' | null | undefined,
        },
        scope ?? 'one',
        !!force,
      ),
  }),
  moveScheduleSession: t.field({
    type: [ScheduleSessionRef],
    description: 'Moves a session (or it and the following ones: the same wall-clock shift in each one’s zone); RECURRENCE-ID stays.',
    args: {
      id: t.arg.id({ required: true }),
      startsAt: t.arg({ type: 'DateTime', required: true }),
      endsAt: t.arg({ type: 'DateTime', required: true }),
      scope: t.arg({ type: ScheduleEditScopeEnum, defaultValue: 'one' }),
      force: t.arg.boolean(),
    },
    resolve: (_r, { id, startsAt, endsAt, scope, force }, ctx) =>
      ctx.services.schedule.move(requireViewer(ctx), String(id), startsAt, endsAt, scope ?? 'one', !!force),
  }),
  cancelScheduleSession: t.field({
    type: [ScheduleSessionRef],
    description: 'Cancels a session, or it and the following occurrences of its series; attendees are notified.',
    args: { id: t.arg.id({ required: true }), scope: t.arg({ type: ScheduleEditScopeEnum, defaultValue: 'one' }) },
    resolve: (_r, { id, scope }, ctx) => ctx.services.schedule.cancel(requireViewer(ctx), String(id), scope ?? 'one'),
  }),
  markAttendance: t.field({
    type: ScheduleAttendanceRef,
    description: "Marks an attendee's attendance and completion of a session (its host or the course staff).",
    args: {
      sessionId: t.arg.id({ required: true }),
      userId: t.arg.id({ required: true }),
      attendance: t.arg({ type: AttendanceMarkEnum }),
      completed: t.arg.boolean(),
    },
    resolve: (_r, { sessionId, userId, attendance, completed }, ctx) =>
      ctx.services.schedule.markAttendance(requireViewer(ctx), String(sessionId), String(userId), { attendance, completed }),
  }),
  updateScheduleSettings: t.field({
    type: ScheduleSettingsRef,
    description: "The course's time zone (IANA name) and reminder offsets (minutes, at most 5): instructors.",
    args: { courseId: t.arg.id({ required: true }), timeZone: t.arg.string(), reminderOffsets: t.arg.intList() },
    resolve: (_r, { courseId, timeZone, reminderOffsets }, ctx) =>
      ctx.services.schedule.updateSettings(requireViewer(ctx), String(courseId), { timeZone, reminderOffsets }),
  }),
}));

const ScheduleEventRef = builder.objectRef<ScheduleEventView>('ScheduleEvent').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: 'Pass as `after` to resume right after this event.' }),
    type: t.field({ type: ScheduleEventTypeEnum, resolve: (e) => e.type }),
    sessionId: t.exposeID('sessionId', { nullable: true }),
    windowId: t.exposeID('windowId', { nullable: true }),
    bookingId: t.exposeID('bookingId', { nullable: true }),
    session: t.field({ type: ScheduleSessionRef, nullable: true, description: 'The session as it is now.', resolve: (e) => e.session }),
  }),
});

builder.subscriptionFields((t) => ({
  scheduleEvents: t.field({
    type: ScheduleEventRef,
    description:
      "A course's schedule as it changes: sessions, office-hour windows and bookings, settings. With `after` (Course.schedule's `cursor`, or the last event's), replays from there first. Each event is checked against the viewer: a learner never hears of another learner's session or booking.",
    args: { courseId: t.arg.id({ required: true }), after: t.arg.string() },
    subscribe: (_r, { courseId, after }, ctx) =>
      ctx.services.schedule.follow(requireViewer(ctx), String(courseId), parseSeqCursor(after), ctx.signal),
    resolve: (e) => e,
  }),
}));
