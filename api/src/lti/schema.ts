/** LTI in the API: course members and roster sync (NRPS), and the deep-linking picker's request and answer. */
import { builder } from '../graphql/builder.js';
import { followedConnectionOf } from '../graphql/common.js';
import { requireViewer } from '../graphql/viewer.js';
import { CourseRef, CourseRoleEnum } from '../courses/schema.js';
import { UserRef } from '../users/schema.js';
import type { CourseMember } from '../courses/service.js';
import { SECTIONS, type Section } from '@lt/lti-tool';
import type { RosterSync } from './service.js';

const CourseSectionEnum = builder.enumType('CourseSection', {
  description: 'What a course link opens.',
  values: Object.fromEntries(SECTIONS.map((s) => [s.toUpperCase(), { value: s }])) as Record<Uppercase<Section>, { value: Section }>,
});

const CourseMemberRef = builder.objectRef<CourseMember>('CourseMember').implement({
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: (m) => m.user }),
    roles: t.field({ type: [CourseRoleEnum], resolve: (m) => m.roles }),
    launched: t.exposeBoolean('launched', {
      description: 'False for members known only from the LMS roster, who have not opened the tool yet.',
    }),
  }),
});
const CourseMemberConnection = followedConnectionOf<CourseMember>('CourseMember', CourseMemberRef, 'courseActivity');

const RosterSyncStatusEnum = builder.enumType('RosterSyncStatus', {
  values: { QUEUED: { value: 'queued' }, RUNNING: { value: 'running' }, DONE: { value: 'done' }, FAILED: { value: 'failed' } } as const,
});

const RosterSyncRef = builder.objectRef<RosterSync>('RosterSync').implement({
  description: 'The last roster sync of a course from the LMS (LTI Names and Role Provisioning).',
  fields: (t) => ({
    status: t.field({ type: RosterSyncStatusEnum, resolve: (r) => r.status as 'queued' | 'running' | 'done' | 'failed' }),
    fetched: t.int({ description: 'Members read so far.', resolve: (r) => r.fetched }),
    pages: t.int({ resolve: (r) => r.pages }),
    startedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.startedAt }),
    finishedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.finishedAt }),
    error: t.exposeString('error', { nullable: true }),
  }),
});

builder.objectFields(CourseRef, (t) => ({
  members: t.field({
    type: CourseMemberConnection,
    description:
      'Active members by name, with emails. Staff of the course, and API keys with the read scope that reach it (FORBIDDEN for other members). Its `cursor` is where courseActivity follows the roster from.',
    args: { first: t.arg.int(), after: t.arg.string() },
    resolve: (c, args, ctx) => ctx.services.courses.listMembers(requireViewer(ctx), c.id, args),
  }),
  rosterSync: t.field({
    type: RosterSyncRef,
    nullable: true,
    description:
      'The last roster sync; null when the roster was never synced. Staff of the course, and API keys with the read scope that reach it (FORBIDDEN for other members).',
    resolve: (c, _a, ctx) => ctx.services.lti.rosterSync(requireViewer(ctx), c.id),
  }),
}));

type DeepLinkReq = Awaited<ReturnType<import('./service.js').LtiService['deepLinkRequest']>>;

const DeepLinkRequestRef = builder.objectRef<DeepLinkReq>('DeepLinkRequest').implement({
  description: 'An instructor adding the tool to their LMS course (an LTI deep linking request).',
  fields: (t) => ({
    id: t.exposeID('id'),
    course: t.field({ type: CourseRef, resolve: (r, _a, ctx) => ctx.services.courses.getCourse(requireViewer(ctx), r.courseId) }),
    acceptMultiple: t.boolean({ resolve: (r) => r.deepLinking?.acceptMultiple ?? false }),
    title: t.string({ nullable: true, resolve: (r) => r.deepLinking?.title ?? null }),
    expiresAt: t.field({ type: 'DateTime', resolve: (r) => r.expiresAt }),
  }),
});

const DeepLinkItemInput = builder.inputType('DeepLinkItemInput', {
  fields: (t) => ({
    section: t.field({ type: CourseSectionEnum, required: true }),
    title: t.string({ required: true }),
    graded: t.boolean(),
    scoreMaximum: t.float(),
  }),
});

const DeepLinkResponseRef = builder.objectRef<{ returnUrl: string; jwt: string }>('DeepLinkResponse').implement({
  description: 'The signed LTI deep linking response; the browser posts `jwt` as the form field JWT to `returnUrl`.',
  fields: (t) => ({ returnUrl: t.exposeString('returnUrl'), jwt: t.exposeString('jwt') }),
});

builder.queryFields((t) => ({
  deepLinkRequest: t.field({
    type: DeepLinkRequestRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => ctx.services.lti.deepLinkRequest(requireViewer(ctx), String(id)),
  }),
}));

builder.mutationFields((t) => ({
  submitDeepLink: t.field({
    type: DeepLinkResponseRef,
    args: { requestId: t.arg.id({ required: true }), items: t.arg({ type: [DeepLinkItemInput], required: true }) },
    resolve: (_r, { requestId, items }, ctx) => ctx.services.lti.submitDeepLink(requireViewer(ctx), String(requestId), items),
  }),
  syncRoster: t.field({
    type: RosterSyncRef,
    description: 'Starts a roster sync from the LMS. Staff of the course, and API keys with the write scope that reach it.',
    args: { courseId: t.arg.id({ required: true }) },
    resolve: (_r, { courseId }, ctx) => ctx.services.lti.requestRosterSync(requireViewer(ctx), String(courseId)),
  }),
}));

type TenantRow = typeof import('../tenants/tables.js').tenants.$inferSelect;

const PlatformStatusEnum = builder.enumType('PlatformStatus', {
  values: { ACTIVE: { value: 'active' }, PENDING: { value: 'pending' }, DISABLED: { value: 'disabled' } } as const,
});
const PlatformProductEnum = builder.enumType('PlatformProduct', {
  values: { MOODLE: { value: 'moodle' }, CANVAS: { value: 'canvas' }, GENERIC: { value: 'generic' } } as const,
});

const PlatformRef = builder.objectRef<TenantRow>('Platform').implement({
  description: 'A registered LTI platform (an issuer and the client id it gave the tool). Installation administrators only.',
  fields: (t) => ({
    id: t.exposeID('id'),
    issuer: t.exposeString('issuer'),
    clientId: t.exposeString('clientId'),
    name: t.exposeString('name'),
    product: t.field({ type: PlatformProductEnum, resolve: (p) => p.platform as 'moodle' | 'canvas' | 'generic' }),
    status: t.field({ type: PlatformStatusEnum, resolve: (p) => p.status as 'active' | 'pending' | 'disabled' }),
    acceptNewDeployments: t.exposeBoolean('acceptNewDeployments'),
    deploymentIds: t.stringList({ resolve: (p, _a, ctx) => ctx.services.lti.deploymentIds(p.id) }),
    frameOrigins: t.exposeStringList('frameOrigins'),
  }),
});

const RegisterPlatformInput = builder.inputType('RegisterPlatformInput', {
  fields: (t) => ({
    issuer: t.string({ required: true }),
    clientId: t.string({ required: true }),
    name: t.string(),
    product: t.field({ type: PlatformProductEnum }),
    authEndpoint: t.string({ required: true }),
    tokenEndpoint: t.string({ required: true }),
    jwksUrl: t.string({ required: true }),
    deploymentIds: t.stringList(),
    status: t.field({ type: PlatformStatusEnum }),
  }),
});

builder.queryFields((t) => ({
  platforms: t.field({
    type: [PlatformRef],
    description: 'Registered LTI platforms. Installation administrator keys only.',
    resolve: (_r, _a, ctx) => ctx.services.lti.listPlatforms(requireViewer(ctx)),
  }),
}));

builder.mutationFields((t) => ({
  registerPlatform: t.field({
    type: PlatformRef,
    description: 'Registers (or updates) an LTI 1.3 platform by hand. Installation administrator keys only.',
    args: { input: t.arg({ type: RegisterPlatformInput, required: true }) },
    resolve: (_r, { input }, ctx) => ctx.services.lti.registerPlatformAsAdmin(requireViewer(ctx), input),
  }),
  setPlatformStatus: t.field({
    type: PlatformRef,
    description: 'Activates, disables or holds a platform. Installation administrator keys only.',
    args: {
      issuer: t.arg.string({ required: true }),
      clientId: t.arg.string({ required: true }),
      status: t.arg({ type: PlatformStatusEnum, required: true }),
    },
    resolve: (_r, a, ctx) => ctx.services.lti.setPlatformStatusAsAdmin(requireViewer(ctx), a.issuer, a.clientId, a.status),
  }),
}));
