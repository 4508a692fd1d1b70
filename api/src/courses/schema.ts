/** Course, the viewer (`me`), course queries and the course activity subscription. */
import { builder } from '../graphql/builder.js';
import { connectionOf } from '../graphql/common.js';
import { requireViewer } from '../graphql/viewer.js';
import { TenantRef } from '../tenants/schema.js';
import { UserRef } from '../users/schema.js';
import { getTenant } from '../tenants/service.js';
import { getUsers } from '../users/service.js';
import { notFound } from '../errors.js';
import type { Viewer } from '../auth/viewer.js';
import { COURSE_ROLES, type CourseRole } from './roles.js';
import type { Course } from './service.js';
import { courseStream, type CourseEvent } from './events.js';
import type { StreamEvent } from '../realtime/realtime.js';
import { parseSeqCursor } from '../realtime/cursor.js';

export const CourseRoleEnum = builder.enumType('CourseRole', {
  values: Object.fromEntries(COURSE_ROLES.map((r) => [r.toUpperCase(), { value: r }])) as Record<
    Uppercase<CourseRole>,
    { value: CourseRole }
  >,
});

export const CourseRef = builder.objectRef<Course>('Course').implement({
  description: 'A course: an LTI context inside a platform.',
  fields: (t) => ({
    id: t.exposeID('id'),
    title: t.exposeString('title'),
    label: t.exposeString('label', { nullable: true }),
    myRoles: t.field({
      type: [CourseRoleEnum],
      description: "The viewer's roles in this course (empty for an API key).",
      resolve: (c, _a, ctx) => ctx.services.courses.rolesIn(requireViewer(ctx), c.id),
    }),
  }),
});

const CourseConnection = connectionOf<Course>('Course', CourseRef);

const ViewerKindEnum = builder.enumType('ViewerKind', { values: { SESSION: { value: 'session' }, API_KEY: { value: 'apiKey' } } as const });

const ViewerRef = builder.objectRef<Viewer>('Viewer').implement({
  description: 'Who is calling: a signed-in user (session) or an integrator (API key).',
  fields: (t) => ({
    kind: t.field({ type: ViewerKindEnum, resolve: (v) => v.kind }),
    user: t.field({
      type: UserRef,
      nullable: true,
      resolve: async (v, _a, ctx) =>
        v.kind === 'session' ? ((await getUsers(ctx.services.database.db, v.tenantId, [v.userId]))[0] ?? null) : null,
    }),
    tenant: t.field({
      type: TenantRef,
      resolve: async (v, _a, ctx) => (await getTenant(ctx.services.database.db, v.tenantId)) ?? Promise.reject(notFound('The platform')),
    }),
    course: t.field({
      type: CourseRef,
      nullable: true,
      description: 'The course the session was launched from.',
      resolve: (v, _a, ctx) =>
        v.kind === 'session' && v.courseId ? ctx.services.courses.getCourse(v, v.courseId).catch(() => null) : null,
    }),
    roles: t.field({
      type: [CourseRoleEnum],
      description: 'Roles in the launch course.',
      resolve: (v, _a, ctx) => (v.kind === 'session' && v.courseId ? ctx.services.courses.rolesIn(v, v.courseId) : []),
    }),
    scopes: t.stringList({ resolve: (v) => (v.kind === 'apiKey' ? v.scopes : []) }),
    administrator: t.boolean({
      description:
        'Whether the signed-in user is an LMS administrator of this platform now (an administrator role in any of its courses): they see and revoke every API key of the platform, and may create keys that reach every course. False for an API key.',
      resolve: async (v, _a, ctx) => v.kind === 'session' && (await ctx.services.access.isTenantAdmin(v.tenantId, v.userId)),
    }),
  }),
});

builder.queryFields((t) => ({
  me: t.field({ type: ViewerRef, resolve: (_r, _a, ctx) => requireViewer(ctx) }),
  course: t.field({
    type: CourseRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => ctx.services.courses.getCourse(requireViewer(ctx), String(id)),
  }),
  courses: t.field({
    type: CourseConnection,
    args: { first: t.arg.int(), after: t.arg.string(), last: t.arg.int(), before: t.arg.string() },
    resolve: (_r, args, ctx) => ctx.services.courses.listCourses(requireViewer(ctx), args),
  }),
}));

const CourseActivityRef = builder.objectRef<StreamEvent<CourseEvent>>('CourseActivity').implement({
  description: "An event of a course's activity stream.",
  fields: (t) => ({
    cursor: t.string({ description: 'Pass as `after` to resume right after this event.', resolve: (e) => String(e.seq) }),
    type: t.exposeString('type', { description: 'e.g. member.joined, member.updated, member.removed, course.updated' }),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
    data: t.field({ type: 'JSON', resolve: (e) => e.payload }),
  }),
});

builder.subscriptionFields((t) => ({
  courseActivity: t.field({
    type: CourseActivityRef,
    description:
      "Live course activity. With `after` (the roster's `cursor`, `Course.members`, or an event's), first replays every event after that cursor; no gap, no duplicate.",
    args: { courseId: t.arg.id({ required: true }), after: t.arg.string() },
    // A feed: the event is the same for every reader, so the WebSocket transport serves a course's subscribers as
    // one fan-out group (realtime/fanout.ts); each reader's right is still checked on every event.
    extensions: { feed: true },
    subscribe: async (_r, { courseId, after }, ctx) => {
      const viewer = requireViewer(ctx);
      const id = String(courseId);
      await ctx.services.courses.getCourse(viewer, id);
      const { access, realtime } = ctx.services;
      return realtime.feed({
        stream: courseStream(id),
        after: parseSeqCursor(after),
        signals: false,
        authorizeNow: () => access.canReadCourseNow(viewer, id),
        authorize: () => access.canReadCourse(viewer, id),
        map: (d) => (d.kind === 'event' ? d.event : null),
        signal: ctx.signal,
      });
    },
    resolve: (e) => e,
  }),
}));
