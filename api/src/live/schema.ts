/**
 * Live classes in GraphQL: the class (with its participants and the cursor its page follows from), a course's
 * classes, the graded activities a class can report to, the mutations that plan, run, join and leave a class, and
 * the class's and the course's live events. The in-class fields (hands, questions, polls, confusion), attendance and
 * the dashboard add their own fields to LiveClass from their schema files (builder.objectFields on LiveClassRef).
 */
import { builder } from '../graphql/builder.js';
import { requireViewer } from '../graphql/viewer.js';
import { CourseRef } from '../courses/schema.js';
import { parseSeqCursor } from '../realtime/cursor.js';
import type { BbbRecording } from './bbb.js';
import type { CourseLiveClassEventOut, LiveClassInput as ServiceInput, LiveClassView, LiveGradeLinkView } from './service.js';
import type { LiveClassEventOut } from './class-events.js';
import {
  LiveAttendancePolicyEnum,
  LiveAttendanceRef,
  LiveClassStateEnum,
  LiveConfusionRef,
  LiveHandRef,
  LiveMeetingProviderEnum,
  LiveParticipantRef,
  LivePollRef,
  LiveQuestionRef,
} from './view-schema.js';

const LiveClassEventTypeEnum = builder.enumType('LiveClassEventType', {
  values: {
    CLASS_UPDATED: { value: 'class.updated' },
    PARTICIPANT_JOINED: { value: 'participant.joined' },
    PARTICIPANT_LEFT: { value: 'participant.left' },
    HAND_RAISED: { value: 'hand.raised' },
    HAND_LOWERED: { value: 'hand.lowered' },
    HANDS_CLEARED: { value: 'hands.cleared' },
    QUESTION_POSTED: { value: 'question.posted' },
    QUESTION_UPDATED: { value: 'question.updated' },
    CONFUSION_SIGNALLED: { value: 'confusion.signalled' },
    POLL_OPENED: { value: 'poll.opened' },
    POLL_ANSWERED: { value: 'poll.answered' },
    POLL_CLOSED: { value: 'poll.closed' },
    ATTENDANCE_UPDATED: { value: 'attendance.updated' },
  } as const,
});

const LiveRecordingRef = builder.objectRef<BbbRecording>('LiveRecording').implement({
  description: "A recording of the class on the BigBlueButton server (its first playback format's URL).",
  fields: (t) => ({
    id: t.exposeID('id'),
    url: t.exposeString('url'),
    startedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.startedAt }),
    endedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.endedAt }),
    minutes: t.exposeInt('minutes', { nullable: true }),
  }),
});

const LiveGradeLinkRef = builder.objectRef<LiveGradeLinkView>('LiveGradeLink').implement({
  description: 'A graded LMS activity (a resource link with a gradebook column) attendance scores are posted to.',
  fields: (t) => ({ id: t.exposeID('id'), title: t.exposeString('title') }),
});

export const LiveClassRef = builder.objectRef<LiveClassView>('LiveClass').implement({
  description:
    'A live class: scheduled, then live (a host started it), then ended. Hosts are the course staff; others take part once admitted (joinLiveClass).',
  fields: (t) => ({
    id: t.exposeID('id'),
    courseId: t.exposeID('courseId'),
    sessionId: t.exposeID('sessionId', { nullable: true, description: 'Its schedule session.' }),
    roomId: t.exposeID('roomId', { nullable: true, description: 'Its own chat room.' }),
    title: t.exposeString('title'),
    description: t.exposeString('description'),
    startsAt: t.field({
      type: 'DateTime',
      description: 'The scheduled start: attendance is measured within the scheduled time.',
      resolve: (c) => c.startsAt,
    }),
    endsAt: t.field({ type: 'DateTime', resolve: (c) => c.endsAt }),
    state: t.field({ type: LiveClassStateEnum, resolve: (c) => c.state as 'scheduled' | 'live' | 'ended' }),
    startedAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => c.startedAt }),
    endedAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => c.endedAt }),
    maxParticipants: t.exposeInt('maxParticipants', {
      nullable: true,
      description: 'Participants admitted at most (hosts not counted); null: no limit.',
    }),
    participantCount: t.int({
      description: 'Participants admitted so far (hosts not counted).',
      resolve: (c, _a, ctx) => ctx.services.live.participantCount(c),
    }),
    provider: t.field({ type: LiveMeetingProviderEnum, resolve: (c) => c.provider as 'link' | 'bbb' }),
    meetingUrl: t.exposeString('meetingUrl', {
      nullable: true,
      description: 'The meeting link (LINK classes). BigBlueButton hands each person their own URL from joinLiveClass.',
    }),
    recordingUrl: t.exposeString('recordingUrl', { nullable: true }),
    recordings: t.field({
      type: [LiveRecordingRef],
      description: "BigBlueButton's recordings of the class once it has ended (empty for meeting links).",
      resolve: (c, _a, ctx) => ctx.services.live.recordings(c),
    }),
    policy: t.field({ type: LiveAttendancePolicyEnum, resolve: (c) => c.policy as 'threshold' | 'proportional' }),
    thresholdPercent: t.exposeInt('thresholdPercent'),
    anonymousQuestions: t.exposeBoolean('anonymousQuestions'),
    confusionWindowSeconds: t.exposeInt('confusionWindowSeconds'),
    confusionAlertPercent: t.exposeInt('confusionAlertPercent'),
    gradeLink: t.field({
      type: LiveGradeLinkRef,
      nullable: true,
      description: 'The graded LMS activity attendance is passed back to.',
      resolve: (c, _a, ctx) => ctx.services.live.gradeLink(c),
    }),
    canHost: t.boolean({
      description: 'Whether the viewer hosts this class (starts, ends, moderates).',
      resolve: (c, _a, ctx) => ctx.services.live.canHost(requireViewer(ctx), c),
    }),
    joined: t.boolean({
      description: 'Whether the viewer has been admitted to the class.',
      resolve: (c, _a, ctx) => ctx.services.live.joined(requireViewer(ctx), c),
    }),
    participants: t.field({
      type: [LiveParticipantRef],
      description: 'Everyone admitted, hosts first, with whether they are in the class now.',
      resolve: (c, _a, ctx) => ctx.services.live.participants(c),
    }),
    cursor: t.exposeString('cursor', {
      description: 'The class stream position what is read with it reflects: pass as `after` to liveClassEvents.',
    }),
  }),
});

const LiveJoinRef = builder.objectRef<{ liveClass: LiveClassView; meetingUrl: string | null }>('LiveJoin').implement({
  fields: (t) => ({
    liveClass: t.field({ type: LiveClassRef, resolve: (j) => j.liveClass }),
    meetingUrl: t.exposeString('meetingUrl', {
      nullable: true,
      description:
        "Where to open the meeting: BigBlueButton's join URL for this person (their name, MODERATOR for hosts, VIEWER otherwise), or the class's link.",
    }),
  }),
});

const CourseLiveClassesRef = builder.objectRef<{ classes: LiveClassView[]; cursor: string }>('CourseLiveClasses').implement({
  fields: (t) => ({
    classes: t.field({ type: [LiveClassRef], resolve: (l) => l.classes }),
    cursor: t.exposeString('cursor', {
      description: 'The course stream position the list reflects: pass as `after` to courseLiveClassEvents.',
    }),
  }),
});

builder.objectFields(CourseRef, (t) => ({
  liveClasses: t.field({
    type: CourseLiveClassesRef,
    description: "The course's live classes by scheduled start, with the cursor to follow the list from.",
    args: { includeEnded: t.arg.boolean({ defaultValue: true }) },
    resolve: (c, { includeEnded }, ctx) => ctx.services.live.list(requireViewer(ctx), c.id, includeEnded ?? true),
  }),
  liveMeetingProviders: t.field({
    type: [LiveMeetingProviderEnum],
    description: 'The meeting tools a class of this course can use: LINK always; BIGBLUEBUTTON where the server has one configured.',
    resolve: (_c, _a, ctx) => (ctx.services.live.bbbEnabled ? (['bbb', 'link'] as const) : (['link'] as const)),
  }),
}));

builder.queryFields((t) => ({
  liveClass: t.field({
    type: LiveClassRef,
    description: 'One live class (NOT_FOUND when the viewer may not read its course).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => ctx.services.live.get(requireViewer(ctx), String(id)),
  }),
  liveGradeLinks: t.field({
    type: [LiveGradeLinkRef],
    description:
      "The course's graded activities (with a gradebook column) a class can pass attendance to, the Live class section's first (hosts).",
    args: { courseId: t.arg.id({ required: true }) },
    resolve: (_r, { courseId }, ctx) => ctx.services.live.gradeLinks(requireViewer(ctx), String(courseId)),
  }),
}));

const LiveClassInputRef = builder.inputType('LiveClassInput', {
  description:
    'A class’s fields. In an edit, an optional field left out keeps its value; null clears maxParticipants, description, meetingUrl and gradeLinkId (the others keep theirs).',
  fields: (t) => ({
    title: t.string({ required: true }),
    description: t.string(),
    startsAt: t.field({ type: 'DateTime', required: true }),
    endsAt: t.field({ type: 'DateTime', required: true }),
    maxParticipants: t.int({ description: '1–5000; none: no limit.' }),
    provider: t.field({ type: LiveMeetingProviderEnum, description: 'Default LINK; BIGBLUEBUTTON where a server is configured.' }),
    meetingUrl: t.string({ description: 'The meeting link (http or https) of a LINK class.' }),
    policy: t.field({ type: LiveAttendancePolicyEnum }),
    thresholdPercent: t.int({ description: '1–100 (default 80).' }),
    anonymousQuestions: t.boolean(),
    confusionWindowSeconds: t.int({ description: '30–3600 (default 180).' }),
    confusionAlertPercent: t.int({ description: '1–100 (default 25).' }),
    gradeLinkId: t.id({ description: 'A graded activity of the course (liveGradeLinks); NO_LINE_ITEM when it has no gradebook column.' }),
    sessionId: t.id({ description: 'Link an existing schedule session; none: one is created.' }),
  }),
});

type InputArg = typeof LiveClassInputRef.$inferInput;
const toInput = (i: InputArg): ServiceInput => ({
  ...i,
  gradeLinkId: i.gradeLinkId == null ? i.gradeLinkId : String(i.gradeLinkId),
  sessionId: i.sessionId == null ? i.sessionId : String(i.sessionId),
});

builder.mutationFields((t) => ({
  createLiveClass: t.field({
    type: LiveClassRef,
    description: 'Plans a live class (hosts), with its schedule session and its chat room.',
    args: { courseId: t.arg.id({ required: true }), input: t.arg({ type: LiveClassInputRef, required: true }) },
    resolve: (_r, { courseId, input }, ctx) => ctx.services.live.create(requireViewer(ctx), String(courseId), toInput(input)),
  }),
  updateLiveClass: t.field({
    type: LiveClassRef,
    description: 'Edits a live class (hosts); the meeting tool changes only before it starts.',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: LiveClassInputRef, required: true }) },
    resolve: (_r, { id, input }, ctx) => ctx.services.live.update(requireViewer(ctx), String(id), toInput(input)),
  }),
  setLiveRecordingUrl: t.field({
    type: LiveClassRef,
    description: "A recording's link (hosts); null removes it.",
    args: { id: t.arg.id({ required: true }), url: t.arg.string() },
    resolve: (_r, { id, url }, ctx) => ctx.services.live.setRecordingUrl(requireViewer(ctx), String(id), url ?? null),
  }),
  deleteLiveClass: t.boolean({
    description: 'Deletes a class that has not started (hosts; CONFLICT once it has).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => ctx.services.live.delete(requireViewer(ctx), String(id)),
  }),
  startLiveClass: t.field({
    type: LiveClassRef,
    description: 'Starts the class (hosts); with BigBlueButton, creates its meeting (BBB_UNAVAILABLE when the server refuses).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => ctx.services.live.start(requireViewer(ctx), String(id)),
  }),
  endLiveClass: t.field({
    type: LiveClassRef,
    description: 'Ends the class (hosts): presence closes, the meeting ends, attendance is graded.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => ctx.services.live.end(requireViewer(ctx), String(id)),
  }),
  joinLiveClass: t.field({
    type: LiveJoinRef,
    description:
      'Joins a live class: admits the viewer (CLASS_FULL when max participants are admitted), records the join, and answers the meeting URL.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => ctx.services.live.join(requireViewer(ctx), String(id)),
  }),
  leaveLiveClass: t.boolean({
    description: 'Leaves the class (attendance stops counting); false when the viewer was not in it.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => ctx.services.live.leave(requireViewer(ctx), String(id)),
  }),
  liveHeartbeat: t.boolean({
    description:
      'Keeps the viewer present in the class, for clients without a liveClassEvents subscription (which does it by itself); send every LIVE_HEARTBEAT_SECONDS.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => ctx.services.live.heartbeat(requireViewer(ctx), String(id)),
  }),
}));

const LiveClassEventRef = builder.objectRef<LiveClassEventOut>('LiveClassEvent').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: 'Pass as `after` to resume right after this event.' }),
    type: t.field({ type: LiveClassEventTypeEnum, resolve: (e) => e.type }),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
    classId: t.exposeID('classId'),
    state: t.field({ type: LiveClassStateEnum, nullable: true, resolve: (e) => e.state }),
    startedAt: t.field({ type: 'DateTime', nullable: true, resolve: (e) => e.startedAt }),
    endedAt: t.field({ type: 'DateTime', nullable: true, resolve: (e) => e.endedAt }),
    recordingUrl: t.exposeString('recordingUrl', { nullable: true }),
    participant: t.field({ type: LiveParticipantRef, nullable: true, resolve: (e) => e.participant }),
    hand: t.field({ type: LiveHandRef, nullable: true, resolve: (e) => e.hand }),
    userId: t.exposeID('userId', { nullable: true }),
    count: t.exposeInt('count', { nullable: true }),
    question: t.field({ type: LiveQuestionRef, nullable: true, resolve: (e) => e.question }),
    confusion: t.field({ type: LiveConfusionRef, nullable: true, resolve: (e) => e.confusion }),
    poll: t.field({ type: LivePollRef, nullable: true, resolve: (e) => e.poll }),
    attendance: t.field({ type: LiveAttendanceRef, nullable: true, resolve: (e) => e.attendance }),
  }),
});

const CourseLiveClassEventRef = builder.objectRef<CourseLiveClassEventOut>('CourseLiveClassEvent').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    type: t.exposeString('type', { description: 'class.created | class.updated | class.deleted' }),
    classId: t.exposeID('classId'),
    liveClass: t.field({
      type: LiveClassRef,
      nullable: true,
      description: 'The class now (null once deleted).',
      resolve: (e) => e.liveClass,
    }),
  }),
});

builder.subscriptionFields((t) => ({
  liveClassEvents: t.field({
    type: LiveClassEventRef,
    description:
      "A live class's events. With `after` (LiveClass.cursor, or the last event's), first replays what came after it. Participants do not get confusion or attendance events, nor anonymous authors or open poll tallies. A person's open subscription keeps them present in the class.",
    args: { classId: t.arg.id({ required: true }), after: t.arg.string() },
    // A feed: hosts and participants each form a fan-out group (the variant), rendered once per event.
    extensions: { feed: true },
    subscribe: (_r, { classId, after }, ctx) =>
      ctx.services.live.follow(requireViewer(ctx), String(classId), parseSeqCursor(after), ctx.signal),
    resolve: (e) => e,
  }),
  courseLiveClassEvents: t.field({
    type: CourseLiveClassEventRef,
    description:
      "A course's live classes as they are planned, changed, started, ended and deleted. With `after` (CourseLiveClasses.cursor), replays first.",
    args: { courseId: t.arg.id({ required: true }), after: t.arg.string() },
    subscribe: (_r, { courseId, after }, ctx) =>
      ctx.services.live.followCourse(requireViewer(ctx), String(courseId), parseSeqCursor(after), ctx.signal),
    resolve: (e) => e,
  }),
}));
