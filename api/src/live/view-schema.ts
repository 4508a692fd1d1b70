/**
 * The GraphQL types of what a live class holds and its events carry (hands, questions, polls, confusion,
 * participants, attendance) and the enums, shared by every live schema file. Each type renders a snapshot view as
 * it is (no viewer needed, so fan-out groups render it once); what a viewer may not see is cut before
 * (access.ts `questionForParticipant`, `pollForParticipant`).
 */
import { builder } from '../graphql/builder.js';
import type { LiveAttendanceView, LiveConfusionView, LiveHandView, LiveParticipantView, LivePollOut, LiveQuestionOut } from './events.js';

export const LiveClassStateEnum = builder.enumType('LiveClassState', {
  values: { SCHEDULED: { value: 'scheduled' }, LIVE: { value: 'live' }, ENDED: { value: 'ended' } } as const,
});
export const LiveMeetingProviderEnum = builder.enumType('LiveMeetingProvider', {
  description: 'LINK: any meeting tool, by its URL (Jitsi, Zoom, Teams…); BIGBLUEBUTTON: the configured BigBlueButton server.',
  values: { LINK: { value: 'link' }, BIGBLUEBUTTON: { value: 'bbb' } } as const,
});
export const LiveAttendancePolicyEnum = builder.enumType('LiveAttendancePolicy', {
  description:
    'How attendance becomes a score (0–100): THRESHOLD, full credit at or above `thresholdPercent` of the scheduled time, none below; PROPORTIONAL, the share of the scheduled time present.',
  values: { THRESHOLD: { value: 'threshold' }, PROPORTIONAL: { value: 'proportional' } } as const,
});
export const LiveRoleEnum = builder.enumType('LiveRole', {
  values: { HOST: { value: 'host' }, PARTICIPANT: { value: 'participant' } } as const,
});
export const LiveQuestionStatusEnum = builder.enumType('LiveQuestionStatus', {
  values: { OPEN: { value: 'open' }, ANSWERED: { value: 'answered' }, DISMISSED: { value: 'dismissed' } } as const,
});
export const LivePollStatusEnum = builder.enumType('LivePollStatus', {
  values: { OPEN: { value: 'open' }, CLOSED: { value: 'closed' } } as const,
});
export const LivePassbackStateEnum = builder.enumType('LivePassbackState', {
  description:
    "The attendance score's way to the LMS gradebook: NONE (not graded, or the class has not ended), QUEUED (being posted, retried with backoff), POSTED (accepted), FAILED (refused for good: see passbackError).",
  values: { NONE: { value: 'none' }, QUEUED: { value: 'queued' }, POSTED: { value: 'posted' }, FAILED: { value: 'failed' } } as const,
});

export const LiveHandRef = builder.objectRef<LiveHandView>('LiveHand').implement({
  description: 'A raised hand; the queue is in arrival order.',
  fields: (t) => ({
    userId: t.exposeID('userId'),
    userName: t.exposeString('userName'),
    raisedAt: t.field({ type: 'DateTime', resolve: (h) => h.raisedAt }),
  }),
});

export const LiveQuestionRef = builder.objectRef<LiveQuestionOut>('LiveQuestion').implement({
  description: 'A question of the class Q&A. `authorId` and `authorName` are null for an anonymous question, except for hosts.',
  fields: (t) => ({
    id: t.exposeID('id'),
    classId: t.exposeID('classId'),
    body: t.exposeString('body'),
    authorId: t.exposeID('authorId', { nullable: true }),
    authorName: t.exposeString('authorName', { nullable: true }),
    anonymous: t.exposeBoolean('anonymous'),
    status: t.field({ type: LiveQuestionStatusEnum, resolve: (q) => q.status }),
    votes: t.exposeInt('votes'),
    createdAt: t.field({ type: 'DateTime', resolve: (q) => q.createdAt }),
    answeredAt: t.field({ type: 'DateTime', nullable: true, resolve: (q) => q.answeredAt }),
  }),
});

const LivePollOptionRef = builder.objectRef<{ label: string; count: number | null }>('LivePollOption').implement({
  fields: (t) => ({
    label: t.exposeString('label'),
    count: t.exposeInt('count', { nullable: true, description: 'Null while the poll is open, except for hosts.' }),
  }),
});

export const LivePollRef = builder.objectRef<LivePollOut>('LivePoll').implement({
  description: 'A quick poll: hosts see the tally live; everyone sees the results once it is closed.',
  fields: (t) => ({
    id: t.exposeID('id'),
    classId: t.exposeID('classId'),
    question: t.exposeString('question'),
    options: t.field({
      type: [LivePollOptionRef],
      resolve: (p) => p.options.map((label, i) => ({ label, count: p.tally ? (p.tally[i] ?? 0) : null })),
    }),
    status: t.field({ type: LivePollStatusEnum, resolve: (p) => p.status }),
    total: t.exposeInt('total', { description: 'How many have answered.' }),
    createdAt: t.field({ type: 'DateTime', resolve: (p) => p.createdAt }),
    closedAt: t.field({ type: 'DateTime', nullable: true, resolve: (p) => p.closedAt }),
  }),
});

const LiveConfusionTopicRef = builder.objectRef<{ topic: string; count: number }>('LiveConfusionTopic').implement({
  fields: (t) => ({ topic: t.exposeString('topic'), count: t.exposeInt('count') }),
});
const LiveConfusionSignalRef = builder.objectRef<{ at: string; topic: string | null }>('LiveConfusionSignal').implement({
  fields: (t) => ({
    at: t.field({ type: 'DateTime', resolve: (s) => s.at }),
    topic: t.exposeString('topic', { nullable: true }),
  }),
});

export const LiveConfusionRef = builder.objectRef<LiveConfusionView>('LiveConfusion').implement({
  description:
    '"I\'m lost" signals over the sliding window ending at `at`: distinct people signalling, the present participants, and the alert when `count` reaches `alertPercent` of `present`.',
  fields: (t) => ({
    count: t.exposeInt('count'),
    present: t.exposeInt('present'),
    windowSeconds: t.exposeInt('windowSeconds'),
    alertPercent: t.exposeInt('alertPercent'),
    alert: t.exposeBoolean('alert'),
    topics: t.field({ type: [LiveConfusionTopicRef], resolve: (c) => c.topics }),
    signals: t.field({ type: [LiveConfusionSignalRef], resolve: (c) => c.signals }),
    at: t.field({ type: 'DateTime', resolve: (c) => c.at }),
  }),
});

export const LiveParticipantRef = builder.objectRef<LiveParticipantView>('LiveParticipant').implement({
  description: 'A person admitted to the class, and whether they are in it now.',
  fields: (t) => ({
    userId: t.exposeID('userId'),
    userName: t.exposeString('userName'),
    role: t.field({ type: LiveRoleEnum, resolve: (p) => p.role }),
    present: t.exposeBoolean('present'),
  }),
});

export const LiveAttendanceRef = builder.objectRef<LiveAttendanceView>('LiveAttendance').implement({
  description:
    "One person's attendance of a class: minutes present within the scheduled time (an instructor's correction wins over the measure), joins, the score from the class's policy, and its passback to the LMS.",
  fields: (t) => ({
    userId: t.exposeID('userId'),
    userName: t.exposeString('userName'),
    role: t.field({ type: LiveRoleEnum, resolve: (a) => a.role }),
    present: t.exposeBoolean('present', { description: 'In the class now.' }),
    minutesPresent: t.int({ resolve: (a) => a.correctedMinutes ?? a.measuredMinutes }),
    measuredMinutes: t.exposeInt('measuredMinutes'),
    correctedMinutes: t.exposeInt('correctedMinutes', { nullable: true }),
    scheduledMinutes: t.exposeInt('scheduledMinutes'),
    joins: t.exposeInt('joins'),
    score: t.exposeFloat('score', { nullable: true }),
    passback: t.field({ type: LivePassbackStateEnum, resolve: (a) => a.passbackState }),
    passbackError: t.exposeString('passbackError', { nullable: true }),
    passbackAt: t.field({ type: 'DateTime', nullable: true, resolve: (a) => a.passbackAt }),
  }),
});
