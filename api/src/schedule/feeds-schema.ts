/** Calendar feeds: the viewer's private feed URL, the course's public one, rotating them, and one session's `.ics`. */
import { builder } from '../graphql/builder.js';
import { requireViewer } from '../graphql/viewer.js';
import type { CalendarFeedView, CalendarFile } from './feeds.js';

const CalendarFeedRef = builder.objectRef<CalendarFeedView>('CalendarFeed').implement({
  description:
    'An iCalendar (RFC 5545) feed URL for calendar apps to subscribe to. The token in it is the only key: keep it private; rotating it makes the old URL answer 404.',
  fields: (t) => ({
    url: t.exposeString('url'),
    createdAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: "Since when a person's URL is valid; null for a course's.",
      resolve: (f) => f.createdAt,
    }),
  }),
});

const CalendarFileRef = builder.objectRef<CalendarFile>('CalendarFile').implement({
  description: 'One session as an `.ics` file (METHOD:REQUEST, or CANCEL once it is cancelled), to save and open in a calendar app.',
  fields: (t) => ({
    filename: t.exposeString('filename'),
    content: t.exposeString('content', { description: 'The file (text/calendar; charset=utf-8).' }),
  }),
});

builder.queryFields((t) => ({
  myCalendarFeed: t.field({
    type: CalendarFeedRef,
    nullable: true,
    description:
      "The viewer's private calendar feed (their sessions and bookings in every course); null until they make one with rotateCalendarFeed, and after they turn it off. People only (FORBIDDEN for API keys).",
    resolve: (_r, _a, ctx) => ctx.services.calendarFeeds.myFeed(requireViewer(ctx)),
  }),
  courseCalendarFeed: t.field({
    type: CalendarFeedRef,
    description:
      "The course's public calendar feed (its sessions for the whole course; no one's own sessions or bookings), for its members.",
    args: { courseId: t.arg.id({ required: true }) },
    resolve: (_r, { courseId }, ctx) => ctx.services.calendarFeeds.courseFeed(requireViewer(ctx), String(courseId)),
  }),
  sessionCalendarFile: t.field({
    type: CalendarFileRef,
    description: 'One session as an `.ics` file, for whoever may read the session (NOT_FOUND otherwise).',
    args: { sessionId: t.arg.id({ required: true }) },
    resolve: (_r, { sessionId }, ctx) => ctx.services.calendarFeeds.sessionFile(requireViewer(ctx), String(sessionId)),
  }),
}));

builder.mutationFields((t) => ({
  rotateCalendarFeed: t.field({
    type: CalendarFeedRef,
    description: "Makes the viewer's private feed URL, or a new one: the old one answers 404 at once.",
    resolve: (_r, _a, ctx) => ctx.services.calendarFeeds.rotateMyFeed(requireViewer(ctx)),
  }),
  revokeCalendarFeed: t.boolean({
    description:
      "Turns the viewer's feed off (its URL answers 404; myCalendarFeed is null until rotateCalendarFeed makes a new one). False when there was none.",
    resolve: (_r, _a, ctx) => ctx.services.calendarFeeds.revokeMyFeed(requireViewer(ctx)),
  }),
  rotateCourseCalendarFeed: t.field({
    type: CalendarFeedRef,
    description: "A new URL for the course's public feed (instructors); the old one answers 404 at once.",
    args: { courseId: t.arg.id({ required: true }) },
    resolve: (_r, { courseId }, ctx) => ctx.services.calendarFeeds.rotateCourseFeed(requireViewer(ctx), String(courseId)),
  }),
}));
