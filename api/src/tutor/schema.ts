/** The AI tutor: settings, room switches, usage (the viewer's, live; the course report), cancel and retry. */
import { builder } from '../graphql/builder.js';
import { requireViewer } from '../graphql/viewer.js';
import { CourseRef } from '../courses/schema.js';
import { RoomRef } from '../rooms/schema.js';
import { userStream } from '../notifications/events.js';
import { AppError } from '../errors.js';
import { TUTOR_MODES, type ReportEntryAt, type TutorMode, type TutorSettingsView, type UsageAt, type UsageReport } from './service.js';
import { parseSeqCursor } from '../realtime/cursor.js';

const TutorModeEnum = builder.enumType('TutorMode', {
  description: 'SOCRATIC guides with questions and hands out no solutions; EXPLAIN explains; REVIEW reviews code.',
  values: { SOCRATIC: { value: 'socratic' }, EXPLAIN: { value: 'explain' }, REVIEW: { value: 'review' } } as const,
});
const ProviderKindEnum = builder.enumType('TutorProviderKind', {
  values: { OPENAI: { value: 'openai' }, OFFLINE: { value: 'offline' } } as const,
});

const TutorSettingsRef = builder.objectRef<TutorSettingsView>('TutorSettings').implement({
  fields: (t) => ({
    mode: t.field({ type: TutorModeEnum, resolve: (s) => s.mode }),
    brief: t.exposeString('brief', { description: "The instructor's course brief (syllabus, rules), given to the tutor." }),
    userDailyTokens: t.exposeInt('userDailyTokens', { description: 'Tokens one student may use per day (UTC).' }),
    courseMonthlyTokens: t.exposeInt('courseMonthlyTokens', { description: 'Tokens the whole course may use per month.' }),
    tokensPerQuestion: t.int({
      description:
        'What one question holds of the budgets while it is answered (only what it used is counted after): a budget of N × this answers at least N questions. A budget is 0 or at least this.',
      resolve: (s, _a, ctx) => ctx.services.tutor.tokensPerQuestion(s),
    }),
    provider: t.field({
      type: ProviderKindEnum,
      description: 'OFFLINE: no AI provider is configured; a built-in offline tutor answers.',
      resolve: (s) => s.provider,
    }),
    model: t.exposeString('model'),
  }),
});

const BudgetScopeEnum = builder.enumType('TutorBudgetScope', {
  description: "DAY: the student's daily budget; MONTH: the course's monthly budget.",
  values: { DAY: { value: 'day' }, MONTH: { value: 'month' } } as const,
});

const TutorUsageRef = builder.objectRef<UsageAt>('TutorUsage').implement({
  description: "A student's tutor budget: what is used today and this month's course total, and how many questions that leaves.",
  fields: (t) => ({
    courseId: t.exposeID('courseId'),
    cursor: t.exposeString('cursor', {
      description: 'The stream position this usage reflects: pass as `after` to tutorUsage to follow it from here.',
    }),
    usedToday: t.exposeInt('usedToday'),
    dailyLimit: t.exposeInt('dailyLimit'),
    remainingToday: t.int({
      description: 'Tokens of the daily budget neither used nor held by a question being answered.',
      resolve: (u) => Math.max(0, u.dailyLimit - u.usedToday - u.reservedToday),
    }),
    courseUsedThisMonth: t.int({ resolve: (u) => u.courseUsedThisMonth }),
    courseMonthlyLimit: t.int({ resolve: (u) => u.courseMonthlyLimit }),
    warning: t.boolean({
      description: 'Past the warning threshold of the daily budget.',
      resolve: (u) => u.dailyLimit > 0 && u.usedToday * 100 >= u.dailyLimit * u.warnPercent,
    }),
    tokensPerQuestion: t.exposeInt('tokensPerQuestion', { description: 'What one question holds of the budgets while it is answered.' }),
    questionsLeft: t.exposeInt('questionsLeft', {
      description:
        'Questions the tutor will answer, at least (by the rule that refuses: each needs tokensPerQuestion of both budgets). 0 exactly when the next question would be refused.',
    }),
    percentLeftToday: t.int({
      description: 'What is left of the daily budget, in percent (rounded down).',
      resolve: (u) =>
        u.dailyLimit > 0 ? Math.max(0, Math.floor(((u.dailyLimit - u.usedToday - u.reservedToday) * 100) / u.dailyLimit)) : 0,
    }),
    blockedBy: t.field({
      type: BudgetScopeEnum,
      nullable: true,
      description: 'Why the next question would be refused (null: it would be answered).',
      resolve: (u) => u.blockedBy,
    }),
    resetsAt: t.field({ type: 'DateTime', description: 'When the daily budget starts again (00:00 UTC).', resolve: (u) => u.resetsAt }),
    blockedUntil: t.field({
      type: 'DateTime',
      nullable: true,
      description:
        'When a refusal lifts by itself: the daily reset, or the first of next month for the course budget (unless staff raise it sooner).',
      resolve: (u) => u.blockedUntil,
    }),
  }),
});

const REFUSED = 'Questions refused because a budget was used up (no provider call; counted once per question).';
const DayUsageRef = builder.objectRef<UsageReport['byDay'][number]>('TutorDayUsage').implement({
  fields: (t) => ({
    day: t.exposeString('day', { description: 'YYYY-MM-DD (UTC)' }),
    promptTokens: t.exposeInt('promptTokens'),
    completionTokens: t.exposeInt('completionTokens'),
    costUsd: t.float({ resolve: (r) => r.costMicros / 1e6 }),
    calls: t.exposeInt('calls'),
    refused: t.exposeInt('refused', { description: REFUSED }),
  }),
});
const StudentUsageRef = builder.objectRef<UsageReport['byStudent'][number]>('TutorStudentUsage').implement({
  fields: (t) => ({
    userId: t.exposeID('userId'),
    name: t.exposeString('name'),
    tutorRoomId: t.exposeID('tutorRoomId', {
      nullable: true,
      description: "The student's tutor room in the course: staff of the course read it (`room`, `roomEvents`), and do not post there.",
    }),
    promptTokens: t.exposeInt('promptTokens'),
    completionTokens: t.exposeInt('completionTokens'),
    costUsd: t.float({ resolve: (r) => r.costMicros / 1e6 }),
    calls: t.exposeInt('calls'),
    refused: t.exposeInt('refused', { description: REFUSED }),
  }),
});
const ModelUsageRef = builder.objectRef<UsageReport['byModel'][number]>('TutorModelUsage').implement({
  fields: (t) => ({
    model: t.exposeString('model'),
    promptTokens: t.exposeInt('promptTokens'),
    completionTokens: t.exposeInt('completionTokens'),
    costUsd: t.float({ resolve: (r) => r.costMicros / 1e6 }),
    calls: t.exposeInt('calls'),
  }),
});
const UsageReportRef = builder.objectRef<UsageReport>('TutorUsageReport').implement({
  description: 'Every provider call of the course, exactly once each, and every refused question (the usage ledger), summed.',
  fields: (t) => ({
    cursor: t.exposeString('cursor', {
      description: 'The position of the course’s tutor report stream these sums reflect: pass as `after` to tutorReportEvents.',
    }),
    byDay: t.field({ type: [DayUsageRef], resolve: (r) => r.byDay }),
    byStudent: t.field({ type: [StudentUsageRef], resolve: (r) => r.byStudent }),
    byModel: t.field({ type: [ModelUsageRef], resolve: (r) => r.byModel }),
  }),
});

const ReportEntryRef = builder.objectRef<ReportEntryAt>('TutorUsageEntry').implement({
  description:
    "One row of the course's usage ledger as it is written: a provider call (calls 1) or a refused question (refused 1, no tokens). Add it to the report's day, student and model.",
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: 'Pass as `after` to resume right after this entry.' }),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
    day: t.exposeString('day', { description: 'YYYY-MM-DD (UTC)' }),
    userId: t.exposeID('userId'),
    name: t.exposeString('name'),
    tutorRoomId: t.exposeID('tutorRoomId', { nullable: true }),
    model: t.exposeString('model'),
    promptTokens: t.exposeInt('promptTokens'),
    completionTokens: t.exposeInt('completionTokens'),
    costUsd: t.float({ resolve: (e) => e.costMicros / 1e6 }),
    calls: t.exposeInt('calls'),
    refused: t.exposeInt('refused'),
  }),
});

builder.objectFields(CourseRef, (t) => ({
  tutorSettings: t.field({ type: TutorSettingsRef, resolve: (c, _a, ctx) => ctx.services.tutor.settings(requireViewer(ctx), c.id) }),
  tutorUsageReport: t.field({
    type: UsageReportRef,
    description:
      'Tutor usage by day, by student and by model, with refused questions; its `cursor` is where tutorReportEvents follows it from. Staff of the course, and API keys with the read scope that reach it.',
    args: { days: t.arg.int({ defaultValue: 30 }) },
    resolve: (c, { days }, ctx) => ctx.services.tutor.report(requireViewer(ctx), c.id, days ?? 30),
  }),
}));

builder.objectFields(RoomRef, (t) => ({
  tutorEnabled: t.boolean({
    description: 'Whether the tutor answers here: always in a tutor room; elsewhere when staff enabled "@tutor".',
    resolve: (r) => r.kind === 'tutor' || r.tutorEnabled,
  }),
  tutorMode: t.field({
    type: TutorModeEnum,
    nullable: true,
    description: "This room's own mode (null: the course's).",
    resolve: (r) => (r.tutorMode as TutorMode | null) ?? null,
  }),
}));

const modeArg = (m: string | null | undefined): TutorMode | null => {
  if (m == null) return null;
  if (!TUTOR_MODES.includes(m as TutorMode)) throw new AppError('BAD_USER_INPUT', 'Unknown mode.', { field: 'mode' });
  return m as TutorMode;
};

builder.queryFields((t) => ({
  myTutorUsage: t.field({
    type: TutorUsageRef,
    description: "The viewer's tutor budget in a course now; its `cursor` is where tutorUsage follows it from.",
    args: { courseId: t.arg.id({ required: true }) },
    resolve: (_r, { courseId }, ctx) => ctx.services.tutor.myUsage(requireViewer(ctx), String(courseId)),
  }),
}));

builder.mutationFields((t) => ({
  updateTutorSettings: t.field({
    type: TutorSettingsRef,
    description:
      'Mode, course brief and budgets of the course tutor (staff of the course, or an API key with the write scope that reaches it). A null budget goes back to the default.',
    args: {
      courseId: t.arg.id({ required: true }),
      mode: t.arg({ type: TutorModeEnum }),
      brief: t.arg.string(),
      userDailyTokens: t.arg.int(),
      courseMonthlyTokens: t.arg.int(),
    },
    resolve: (_r, a, ctx) =>
      ctx.services.tutor.updateSettings(requireViewer(ctx), String(a.courseId), {
        mode: a.mode ?? null,
        brief: a.brief ?? null,
        ...(a.userDailyTokens !== undefined ? { userDailyTokens: a.userDailyTokens } : {}),
        ...(a.courseMonthlyTokens !== undefined ? { courseMonthlyTokens: a.courseMonthlyTokens } : {}),
      }),
  }),
  setRoomTutor: t.boolean({
    description:
      'Lets the tutor answer "@tutor" in a course, group or live room (staff of the course), with an optional mode for the room.',
    args: { roomId: t.arg.id({ required: true }), enabled: t.arg.boolean({ required: true }), mode: t.arg({ type: TutorModeEnum }) },
    resolve: (_r, { roomId, enabled, mode }, ctx) =>
      ctx.services.tutor.setRoomTutor(requireViewer(ctx), String(roomId), enabled, modeArg(mode)),
  }),
  cancelTutorReply: t.boolean({
    description: 'Stops a reply being written; the text so far stays, marked as stopped.',
    args: { requestId: t.arg.id({ required: true }) },
    resolve: (_r, { requestId }, ctx) => ctx.services.tutor.cancel(requireViewer(ctx), String(requestId)),
  }),
  retryTutorReply: t.boolean({
    args: { requestId: t.arg.id({ required: true }) },
    resolve: (_r, { requestId }, ctx) => ctx.services.tutor.retry(requireViewer(ctx), String(requestId)),
  }),
}));

builder.subscriptionFields((t) => ({
  tutorReportEvents: t.field({
    type: ReportEntryRef,
    description:
      "The course's tutor usage as it is recorded: each provider call and each refused question. With `after` (tutorUsageReport's `cursor`, or the last entry's), first replays what was recorded since; no gap, no duplicate. Staff of the course, and API keys with the read scope that reach it.",
    args: { courseId: t.arg.id({ required: true }), after: t.arg.string() },
    // A feed: the entry is the same for every reader of the course's report (each reader's right checked on every event).
    extensions: { feed: true },
    subscribe: (_r, { courseId, after }, ctx) =>
      ctx.services.tutor.followReport(requireViewer(ctx), String(courseId), parseSeqCursor(after), ctx.signal),
    resolve: (e) => e,
  }),
  tutorUsage: t.field({
    type: TutorUsageRef,
    description:
      "The viewer's tutor budget in a course after each reply. With `after` (myTutorUsage's `cursor`, or the last one received), first replays what changed since; without it, starts with the usage now. Per viewer: it follows the viewer's own stream (the viewer's tabs share one fan-out group per course).",
    args: { courseId: t.arg.id({ required: true }), after: t.arg.string() },
    // A feed on the user's stream: the same usage for each of the user's tabs; the course, which the operation key
    // leaves out (it is the field's own argument), is the group's variant.
    extensions: { feed: true },
    subscribe: async (_r, { courseId, after }, ctx) => {
      const viewer = requireViewer(ctx);
      const id = String(courseId);
      const { access, realtime, tutor } = ctx.services;
      const from = parseSeqCursor(after);
      // People only (myUsage refuses anyone else). Without a cursor, the usage now and the position it reflects: the
      // follow starts there, so a reply counted meanwhile still arrives.
      const now = await tutor.myUsage(viewer, id);
      if (viewer.kind !== 'session') throw new AppError('FORBIDDEN', 'Usage belongs to people; see the course report instead.');
      return realtime.feed({
        stream: userStream(viewer.userId),
        variant: id,
        after: from ?? Number(now.cursor),
        signals: false,
        ...(from === null ? { initial: now } : {}),
        authorizeNow: () => access.canReadCourseNow(viewer, id),
        authorize: () => access.canReadCourse(viewer, id),
        map: (d) =>
          d.kind === 'event' && d.event.type === 'tutor.usage' && d.event.payload.courseId === id
            ? { ...d.event.payload, cursor: String(d.event.seq) }
            : null,
        signal: ctx.signal,
      });
    },
    resolve: (u) => u,
  }),
}));
