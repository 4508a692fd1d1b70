/**
 * Attendance and its grade through GraphQL: a class's attendance report (hosts: everyone; others: their own row),
 * the viewer's own row, the CSV export (hosts), an instructor's correction and re-queueing refused grade posts.
 * Thin: the rules are in live/grades.ts. Attendance changes travel on the class's stream (ATTENDANCE_UPDATED, hosts).
 */
import { builder } from '../graphql/builder.js';
import { requireViewer } from '../graphql/viewer.js';
import { LiveAttendanceRef } from './view-schema.js';
import { LiveClassRef } from './schema.js';

builder.objectFields(LiveClassRef, (t) => ({
  attendance: t.field({
    type: [LiveAttendanceRef],
    description:
      'Attendance. Hosts: every person admitted (hosts first) and every active learner of the course who never joined (0 minutes, no joins), with scores and their passback once the class ended. Others: their own row only. API keys: none.',
    resolve: (c, _a, ctx) => ctx.services.liveGrades.report(requireViewer(ctx), c.id),
  }),
  myAttendance: t.field({
    type: LiveAttendanceRef,
    nullable: true,
    description:
      'The viewer\'s own attendance ("present 47 of 50 minutes"); null for API keys and people who are not learners of the course and never joined.',
    resolve: (c, _a, ctx) => ctx.services.liveGrades.mine(requireViewer(ctx), c.id),
  }),
  attendanceCsv: t.string({
    description:
      'The attendance report as CSV (RFC 4180, CRLF; cells starting with = + - @ are prefixed with an apostrophe): name, LTI user id, role, minutes present, measured, corrected, scheduled, joins, first join, last leave, score, passback, its error, the correction note. Hosts only (FORBIDDEN otherwise).',
    resolve: (c, _a, ctx) => ctx.services.liveGrades.csv(requireViewer(ctx), c.id),
  }),
}));

builder.mutationFields((t) => ({
  correctLiveAttendance: t.field({
    type: LiveAttendanceRef,
    description:
      "Corrects a person's minutes present (0 up to the scheduled minutes; null: back to the measure), with an optional note (kept in the audit log). Hosts, once the class started (CLASS_NOT_LIVE before). After the end the score is computed again and, when the class is graded, posted again.",
    args: {
      classId: t.arg.id({ required: true }),
      userId: t.arg.id({ required: true }),
      minutes: t.arg.int(),
      note: t.arg.string(),
    },
    resolve: (_r, a, ctx) =>
      ctx.services.liveGrades.correct(requireViewer(ctx), String(a.classId), String(a.userId), a.minutes ?? null, a.note ?? null),
  }),
  retryLivePassback: t.int({
    description: 'Queues again every attendance score the LMS refused for good (passback FAILED); returns how many. Hosts.',
    args: { classId: t.arg.id({ required: true }) },
    resolve: (_r, a, ctx) => ctx.services.liveGrades.retryFailed(requireViewer(ctx), String(a.classId)),
  }),
}));
