/**
 * The instructor's live dashboard in GraphQL: `Course.liveDashboard` (a snapshot) and the `liveDashboard` subscription
 * (a snapshot at once, then a fresh one when something changed, at most one per 2 s and at least one per 30 s).
 * Hosts of the course only (FORBIDDEN otherwise; NOT_FOUND for a course the viewer cannot read). How each figure is
 * defined: live/dashboard.ts.
 */
import { builder } from '../graphql/builder.js';
import { requireViewer } from '../graphql/viewer.js';
import { CourseRef } from '../courses/schema.js';
import { LiveClassRef } from './schema.js';
import type { LiveDashboardPoint, LiveDashboardStudent, LiveDashboardView } from './dashboard.js';

const LiveDashboardSectionRef = builder.objectRef<{ section: string; count: number }>('LiveDashboardSection').implement({
  description: 'A part of the tool (hub, chat, tutor, live…) and how many active students have a tab on it.',
  fields: (t) => ({ section: t.exposeString('section'), count: t.exposeInt('count') }),
});

const LiveDashboardStudentRef = builder.objectRef<LiveDashboardStudent>('LiveDashboardStudent').implement({
  description: 'A student with a tab of the course open now.',
  fields: (t) => ({
    userId: t.exposeID('userId'),
    userName: t.exposeString('userName'),
    section: t.exposeString('section', {
      nullable: true,
      description: 'The parts of the tool their tabs show, comma-separated; null when their tabs did not say.',
    }),
    state: t.exposeString('state', { description: 'online (a visible tab) or away (only hidden tabs).' }),
  }),
});

const LiveDashboardPointRef = builder.objectRef<LiveDashboardPoint>('LiveDashboardPoint').implement({
  description: 'A count over the minute starting at `at`.',
  fields: (t) => ({ at: t.field({ type: 'DateTime', resolve: (p) => p.at }), count: t.exposeInt('count') }),
});

const LiveDashboardTopicRef = builder.objectRef<LiveDashboardView['struggles'][number]>('LiveDashboardTopic').implement({
  description: 'A topic students struggle with, grouped by keywords, and where it comes from.',
  fields: (t) => ({
    topic: t.exposeString('topic'),
    count: t.exposeInt('count', { description: 'How many signals or tutor questions fall under it.' }),
    source: t.exposeString('source', {
      description: 'confusion (topics of "I\'m lost" signals) or tutor (questions asked to the AI tutor).',
    }),
  }),
});

const LiveDashboardTutorRef = builder.objectRef<LiveDashboardView['tutor']>('LiveDashboardTutor').implement({
  description: "The course's AI tutor usage: today (the budget day, UTC) and this month, against the budgets.",
  fields: (t) => ({
    tokensToday: t.exposeInt('tokensToday', { description: 'Tokens used by the course today, all students.' }),
    dailyBudget: t.exposeInt('dailyBudget', { description: "Each student's daily budget (tokens)." }),
    monthTokens: t.exposeInt('monthTokens', { description: 'Tokens used by the course this month.' }),
    monthlyBudget: t.exposeInt('monthlyBudget', { description: "The course's monthly budget (tokens)." }),
    questionsToday: t.exposeInt('questionsToday', { description: 'Questions asked to the tutor today.' }),
  }),
});

const LiveDashboardWaitRef = builder.objectRef<LiveDashboardView['answerWait']>('LiveDashboardWait').implement({
  description:
    "How long students' questions wait for a first answer from staff: the live Q&A of the class in progress (until marked answered) and questions in the course room over the last 2 hours (until a staff message after them).",
  fields: (t) => ({
    answered: t.exposeInt('answered'),
    waiting: t.exposeInt('waiting'),
    medianSeconds: t.exposeInt('medianSeconds', { nullable: true, description: 'Of the answered ones; null when none.' }),
    p90Seconds: t.exposeInt('p90Seconds', { nullable: true }),
    longestWaitingSeconds: t.exposeInt('longestWaitingSeconds', {
      nullable: true,
      description: 'The oldest question still waiting; null when none.',
    }),
  }),
});

const LiveDashboardRef = builder.objectRef<LiveDashboardView>('LiveDashboard').implement({
  description: 'What is going on in a course now, for its hosts (live/dashboard.ts defines each figure).',
  fields: (t) => ({
    courseId: t.exposeID('courseId'),
    at: t.field({ type: 'DateTime', description: 'When this snapshot was taken.', resolve: (d) => d.at }),
    activeStudents: t.exposeInt('activeStudents', { description: 'Students with a tab of the course open (online or away).' }),
    bySection: t.field({ type: [LiveDashboardSectionRef], resolve: (d) => d.bySection }),
    students: t.field({ type: [LiveDashboardStudentRef], resolve: (d) => d.students }),
    messagesPerMinute: t.field({
      type: [LiveDashboardPointRef],
      description:
        'Messages in the course, group and class rooms, one point per minute over the last 30 minutes (the last: the minute in progress).',
      resolve: (d) => d.messagesPerMinute,
    }),
    openQuestions: t.exposeInt('openQuestions', {
      description: 'Open questions of the class in progress plus unanswered questions in the course room (last 2 hours).',
    }),
    hands: t.exposeInt('hands', { description: 'Hands raised now in the class in progress.' }),
    confusionTrend: t.field({
      type: [LiveDashboardPointRef],
      description: '"I\'m lost" signals of the class in progress per minute over the last 30 minutes.',
      resolve: (d) => d.confusionTrend,
    }),
    liveClass: t.field({
      type: LiveClassRef,
      nullable: true,
      description: 'The class in progress (the latest started), with its cursor to follow liveClassEvents from.',
      resolve: (d) => d.liveClass,
    }),
    present: t.exposeInt('present', { description: 'Participants in the class in progress now.' }),
    admitted: t.exposeInt('admitted', { description: 'Participants admitted to the class in progress.' }),
    tutor: t.field({ type: LiveDashboardTutorRef, resolve: (d) => d.tutor }),
    struggles: t.field({
      type: [LiveDashboardTopicRef],
      description: 'Topics of confusion signals and of tutor questions over the last 7 days, most frequent first per source.',
      resolve: (d) => d.struggles,
    }),
    answerWait: t.field({ type: LiveDashboardWaitRef, resolve: (d) => d.answerWait }),
  }),
});

builder.objectFields(CourseRef, (t) => ({
  liveDashboard: t.field({
    type: LiveDashboardRef,
    description: "The instructor's live dashboard now (hosts: instructors, TAs, administrators; FORBIDDEN otherwise).",
    resolve: (c, _a, ctx) => ctx.services.liveDashboard.snapshot(requireViewer(ctx), c.id),
  }),
}));

builder.subscriptionFields((t) => ({
  liveDashboard: t.field({
    type: LiveDashboardRef,
    description:
      'The live dashboard of a course: a fresh snapshot at once, then whenever something changed (at most one per 2 s) and at least every 30 s. Hosts only (FORBIDDEN, also when the viewer stops hosting). Follow `liveClass` with liveClassEvents for instant hands and questions.',
    args: { courseId: t.arg.id({ required: true }) },
    subscribe: (_r, { courseId }, ctx) => ctx.services.liveDashboard.follow(requireViewer(ctx), String(courseId), ctx.signal),
    resolve: (d) => d,
  }),
}));
