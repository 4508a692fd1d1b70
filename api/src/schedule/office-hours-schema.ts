/** Office hours: windows, their days and slots, bookings, the waitlist, and the live events of a course's office hours. */
import { builder } from '../graphql/builder.js';
import { requireViewer } from '../graphql/viewer.js';
import { parseSeqCursor } from '../realtime/cursor.js';
import { formatTime, type BookingView, type DayView, type SlotView, type WaitlistView, type WindowView } from './office-hours.js';

const WindowRef = builder.objectRef<WindowView>('OfficeHourWindow').implement({
  description: "A host's weekly office hours: a wall-clock window in its time zone, cut into slots students book.",
  fields: (t) => ({
    id: t.exposeID('id'),
    courseId: t.exposeID('courseId'),
    hostId: t.exposeID('hostId'),
    hostName: t.exposeString('hostName'),
    title: t.exposeString('title'),
    weekday: t.exposeInt('weekday', { description: 'ISO weekday: 1 Monday … 7 Sunday, in `timeZone`.' }),
    startTime: t.string({ description: 'Wall-clock start HH:MM in `timeZone`.', resolve: (w) => formatTime(w.startMinute) }),
    endTime: t.string({ description: 'Wall-clock end HH:MM in `timeZone` (24:00: midnight).', resolve: (w) => formatTime(w.endMinute) }),
    timeZone: t.exposeString('timeZone', { description: 'The IANA zone the window keeps its wall-clock times in.' }),
    slotMinutes: t.exposeInt('slotMinutes'),
    horizonDays: t.exposeInt('horizonDays', { description: 'How many days ahead a slot may be booked.' }),
    minNoticeMinutes: t.exposeInt('minNoticeMinutes', { description: 'Slots close this many minutes before they start.' }),
    cancelNoticeMinutes: t.exposeInt('cancelNoticeMinutes', { description: 'Bookings can be cancelled until this many minutes before.' }),
    location: t.exposeString('location'),
    meetingUrl: t.exposeString('meetingUrl', { nullable: true }),
    status: t.exposeString('status', { description: 'active | withdrawn' }),
    createdAt: t.field({ type: 'DateTime', resolve: (w) => w.createdAt }),
  }),
});

const SlotStateEnum = builder.enumType('OfficeHourSlotState', {
  description:
    'FREE: bookable now; BOOKED: someone else booked it; MINE: the viewer booked it; CLOSED: past its notice or beyond the horizon.',
  values: ['FREE', 'BOOKED', 'MINE', 'CLOSED'] as const,
});

const SlotRef = builder.objectRef<SlotView>('OfficeHourSlot').implement({
  fields: (t) => ({
    startsAt: t.field({ type: 'DateTime', resolve: (s) => s.startsAt }),
    endsAt: t.field({ type: 'DateTime', resolve: (s) => s.endsAt }),
    state: t.field({ type: SlotStateEnum, resolve: (s) => s.state }),
    bookingId: t.exposeID('bookingId', { nullable: true, description: 'The booking in it: the viewer’s own; any for the host and staff.' }),
  }),
});

const DayRef = builder.objectRef<DayView>('OfficeHourDay').implement({
  fields: (t) => ({
    windowId: t.exposeID('windowId'),
    day: t.exposeString('day', { description: "The window's date in its zone (YYYY-MM-DD)." }),
    slots: t.field({ type: [SlotRef], resolve: (d) => d.slots }),
    waitlistSize: t.exposeInt('waitlistSize', { description: 'Students waiting for a slot of this day.' }),
    waitlistPosition: t.exposeInt('waitlistPosition', { nullable: true, description: "The viewer's place in the line (1: next)." }),
    waitlistStatus: t.exposeString('waitlistStatus', { nullable: true, description: "The viewer's entry: waiting | notified | left." }),
  }),
});

const BookingRef = builder.objectRef<BookingView>('OfficeHourBooking').implement({
  description: 'A booked slot. Only its student, its host and the course staff read it (and its question).',
  fields: (t) => ({
    id: t.exposeID('id'),
    courseId: t.exposeID('courseId'),
    windowId: t.exposeID('windowId'),
    windowTitle: t.exposeString('windowTitle'),
    sessionId: t.exposeID('sessionId', { nullable: true, description: 'The session it is on the calendars as (kind booking).' }),
    hostId: t.exposeID('hostId'),
    hostName: t.exposeString('hostName'),
    studentId: t.exposeID('studentId'),
    studentName: t.exposeString('studentName'),
    startsAt: t.field({ type: 'DateTime', resolve: (b) => b.startsAt }),
    endsAt: t.field({ type: 'DateTime', resolve: (b) => b.endsAt }),
    timeZone: t.exposeString('timeZone', { description: "The window's zone." }),
    question: t.exposeString('question'),
    location: t.exposeString('location'),
    meetingUrl: t.exposeString('meetingUrl', { nullable: true }),
    status: t.exposeString('status', { description: 'booked | cancelled' }),
    cancelledAt: t.field({ type: 'DateTime', nullable: true, resolve: (b) => b.cancelledAt }),
    createdAt: t.field({ type: 'DateTime', resolve: (b) => b.createdAt }),
  }),
});

const WaitlistEntryRef = builder
  .objectRef<WaitlistView & { studentName?: string; studentId?: string }>('OfficeHourWaitlistEntry')
  .implement({
    fields: (t) => ({
      id: t.exposeID('id'),
      windowId: t.exposeID('windowId'),
      day: t.exposeString('day'),
      status: t.exposeString('status', { description: 'waiting | notified | left' }),
      position: t.exposeInt('position', { nullable: true, description: 'Place in the line while waiting (1: next).' }),
      studentId: t.id({
        nullable: true,
        description: 'Only in the host’s and staff’s view of the line.',
        resolve: (e) => e.studentId ?? null,
      }),
      studentName: t.string({ nullable: true, resolve: (e) => e.studentName ?? null }),
      createdAt: t.field({ type: 'DateTime', resolve: (e) => e.createdAt }),
    }),
  });

const OfficeHoursRef = builder.objectRef<{ cursor: string; windows: WindowView[] }>('OfficeHours').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: 'Where officeHourEvents follows this list from.' }),
    windows: t.field({ type: [WindowRef], resolve: (o) => o.windows }),
  }),
});

const BookingListRef = builder.objectRef<{ cursor: string; bookings: BookingView[] }>('OfficeHourBookingList').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: 'Where officeHourEvents follows this list from.' }),
    bookings: t.field({ type: [BookingRef], resolve: (o) => o.bookings }),
  }),
});

builder.queryFields((t) => ({
  officeHours: t.field({
    type: OfficeHoursRef,
    description: "The course's active office-hour windows, with the cursor officeHourEvents follows them from. Any reader of the course.",
    args: { courseId: t.arg.id({ required: true }) },
    resolve: (_r, { courseId }, ctx) => ctx.services.officeHours.listWindows(requireViewer(ctx), String(courseId)),
  }),
  officeHourWindow: t.field({
    type: WindowRef,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => ctx.services.officeHours.getWindow(requireViewer(ctx), String(id)),
  }),
  officeHourDays: t.field({
    type: [DayRef],
    description:
      "A window's days between two dates of its zone (YYYY-MM-DD, both included, at most 62 days), each with its slots and its waitlist as the viewer sees them. Clients show the slot times in the viewer's own zone.",
    args: { windowId: t.arg.id({ required: true }), from: t.arg.string({ required: true }), to: t.arg.string({ required: true }) },
    resolve: (_r, { windowId, from, to }, ctx) => ctx.services.officeHours.days(requireViewer(ctx), String(windowId), from, to),
  }),
  officeHourBookings: t.field({
    type: BookingListRef,
    description:
      'Bookings of the course starting in [from, to) (default: from now), earliest first, at most 500: staff read all of them, a host the ones they host, a student their own. With the cursor officeHourEvents follows them from.',
    args: {
      courseId: t.arg.id({ required: true }),
      from: t.arg({ type: 'DateTime' }),
      to: t.arg({ type: 'DateTime' }),
      hostId: t.arg.id(),
      windowId: t.arg.id(),
      includeCancelled: t.arg.boolean(),
    },
    resolve: (_r, a, ctx) =>
      ctx.services.officeHours.listBookings(requireViewer(ctx), String(a.courseId), {
        from: a.from,
        to: a.to,
        hostId: a.hostId ? String(a.hostId) : null,
        windowId: a.windowId ? String(a.windowId) : null,
        includeCancelled: a.includeCancelled,
      }),
  }),
  officeHourBooking: t.field({
    type: BookingRef,
    description: 'One booking: its student, its host and the course staff; NOT_FOUND for anyone else.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => ctx.services.officeHours.getBooking(requireViewer(ctx), String(id)),
  }),
  officeHourWaitlist: t.field({
    type: [WaitlistEntryRef],
    description: "The line for a window's day, in order: the host and staff only.",
    args: { windowId: t.arg.id({ required: true }), day: t.arg.string({ required: true }) },
    resolve: (_r, { windowId, day }, ctx) => ctx.services.officeHours.waitlist(requireViewer(ctx), String(windowId), day),
  }),
}));

const PublishInput = builder.inputType('PublishOfficeHoursInput', {
  fields: (t) => ({
    courseId: t.id({ required: true }),
    hostId: t.id({ description: 'Default: the viewer. Staff may publish for another host of the course.' }),
    title: t.string({ description: 'Default "Office hours".' }),
    weekday: t.int({ required: true, description: 'ISO weekday: 1 Monday … 7 Sunday.' }),
    startTime: t.string({ required: true, description: 'HH:MM wall-clock in timeZone.' }),
    endTime: t.string({ required: true, description: 'HH:MM wall-clock in timeZone (24:00: midnight).' }),
    timeZone: t.string({ description: "IANA zone; default the course's time zone." }),
    slotMinutes: t.int({ required: true, description: '5 to 240.' }),
    horizonDays: t.int({ description: 'Default 14, at most 365.' }),
    minNoticeMinutes: t.int({ description: 'Default 60.' }),
    cancelNoticeMinutes: t.int({ description: 'Default 0 (until the slot starts).' }),
    location: t.string(),
    meetingUrl: t.string(),
  }),
});

builder.mutationFields((t) => ({
  publishOfficeHours: t.field({
    type: WindowRef,
    description:
      'Publishes a weekly window. Instructors, TAs and mentors of the course. WINDOW_OVERLAP when it overlaps another active window of the same host (in any course, compared as instants across time zones and daylight-saving changes).',
    args: { input: t.arg({ type: PublishInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      ctx.services.officeHours.publishWindow(requireViewer(ctx), {
        ...input,
        courseId: String(input.courseId),
        hostId: input.hostId ? String(input.hostId) : null,
      }),
  }),
  withdrawOfficeHours: t.field({
    type: WindowRef,
    description:
      'Withdraws a window: its future bookings are cancelled (their students notified) and its waitlist closed. Its host or staff.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => ctx.services.officeHours.withdrawWindow(requireViewer(ctx), String(id)),
  }),
  bookOfficeHour: t.field({
    type: BookingRef,
    description:
      'Books the slot of a window starting at `startsAt`, with an optional question (at most 2,000 characters) that only the host and staff read. SLOT_TAKEN, ALREADY_BOOKED_AT_THAT_TIME, BOOKING_TOO_SOON, BOOKING_BEYOND_HORIZON, WINDOW_WITHDRAWN.',
    args: {
      windowId: t.arg.id({ required: true }),
      startsAt: t.arg({ type: 'DateTime', required: true }),
      question: t.arg.string(),
      orNextFree: t.arg.boolean({
        description: 'When that slot is taken, book the next free slot of the same day instead (SLOT_TAKEN only when none is left).',
      }),
    },
    resolve: (_r, { windowId, startsAt, question, orNextFree }, ctx) =>
      ctx.services.officeHours.book(requireViewer(ctx), String(windowId), startsAt, question, !!orNextFree),
  }),
  cancelOfficeHourBooking: t.field({
    type: BookingRef,
    description:
      'Cancels a booking: its student, its host or staff, until the window’s cancel notice (CANCEL_TOO_LATE). Frees the slot and tells the first student waiting for that day.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => ctx.services.officeHours.cancel(requireViewer(ctx), String(id)),
  }),
  joinOfficeHourWaitlist: t.field({
    type: WaitlistEntryRef,
    description: "Joins the waitlist of a window's day (YYYY-MM-DD in its zone): only when none of its slots is free (SLOTS_AVAILABLE).",
    args: { windowId: t.arg.id({ required: true }), day: t.arg.string({ required: true }) },
    resolve: (_r, { windowId, day }, ctx) => ctx.services.officeHours.joinWaitlist(requireViewer(ctx), String(windowId), day),
  }),
  leaveOfficeHourWaitlist: t.boolean({
    description: "Leaves the waitlist of a window's day; false when the viewer was not on it.",
    args: { windowId: t.arg.id({ required: true }), day: t.arg.string({ required: true }) },
    resolve: (_r, { windowId, day }, ctx) => ctx.services.officeHours.leaveWaitlist(requireViewer(ctx), String(windowId), day),
  }),
}));

interface OfficeHourEventView {
  cursor: string;
  type: 'WINDOW_PUBLISHED' | 'WINDOW_WITHDRAWN' | 'SLOT_BOOKED' | 'SLOT_FREED';
  windowId: string;
  startsAt: string | null;
  endsAt: string | null;
  bookingId: string | null;
  mine: boolean;
}
const OfficeHourEventTypeEnum = builder.enumType('OfficeHourEventType', {
  values: ['WINDOW_PUBLISHED', 'WINDOW_WITHDRAWN', 'SLOT_BOOKED', 'SLOT_FREED'] as const,
});
const OfficeHourEventRef = builder.objectRef<OfficeHourEventView>('OfficeHourEvent').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: 'Pass as `after` to resume right after this event.' }),
    type: t.field({ type: OfficeHourEventTypeEnum, resolve: (e) => e.type }),
    windowId: t.exposeID('windowId'),
    startsAt: t.field({ type: 'DateTime', nullable: true, resolve: (e) => e.startsAt }),
    endsAt: t.field({ type: 'DateTime', nullable: true, resolve: (e) => e.endsAt }),
    bookingId: t.exposeID('bookingId', {
      nullable: true,
      description: 'Only when the viewer may read the booking (its student, host, staff).',
    }),
    mine: t.exposeBoolean('mine', { description: 'The viewer is the booking’s student.' }),
  }),
});

builder.subscriptionFields((t) => ({
  officeHourEvents: t.field({
    type: OfficeHourEventRef,
    description:
      "A course's office hours as they change: windows published or withdrawn, slots booked or freed. With `after` (the `cursor` of officeHours or officeHourBookings, or the last event's), replays from there first. Per viewer: who booked (bookingId, mine) is shown only to the booking's student, its host and staff.",
    args: { courseId: t.arg.id({ required: true }), after: t.arg.string() },
    subscribe: async function* (_r, { courseId, after }, ctx) {
      const viewer = requireViewer(ctx);
      const id = String(courseId);
      const { officeHours, realtime } = ctx.services;
      const stream = await officeHours.requireEvents(viewer, id);
      const me = viewer.kind === 'session' ? viewer.userId : null;
      for await (const d of realtime.subscribe(stream, {
        after: parseSeqCursor(after),
        signal: ctx.signal,
        authorize: () => officeHours.canFollow(viewer, id),
      })) {
        if (d.kind !== 'event') continue;
        const ev = d.event;
        const cursor = String(ev.seq);
        if (ev.type === 'window.published' || ev.type === 'window.withdrawn') {
          yield {
            cursor,
            type: ev.type === 'window.published' ? 'WINDOW_PUBLISHED' : 'WINDOW_WITHDRAWN',
            windowId: ev.payload.windowId,
            startsAt: null,
            endsAt: null,
            bookingId: null,
            mine: false,
          } satisfies OfficeHourEventView;
        } else if (ev.type === 'booking.created' || ev.type === 'booking.cancelled') {
          const p = ev.payload;
          const readable = await officeHours.mayReadBooking(viewer, id, p);
          yield {
            cursor,
            type: ev.type === 'booking.created' ? 'SLOT_BOOKED' : 'SLOT_FREED',
            windowId: p.windowId,
            startsAt: p.startsAt,
            endsAt: p.endsAt,
            bookingId: readable ? p.bookingId : null,
            mine: !!me && p.studentId === me,
          } satisfies OfficeHourEventView;
        }
      }
    },
    resolve: (e: OfficeHourEventView) => e,
  }),
}));
