/**
 * The course activity feed (staff: a page, newest first, and the live feed from its cursor) and the audit log
 * (staff of a course, or the tenant's administrators: filtered pages and a CSV export). Thin: the rules are in
 * activity/service.ts.
 */
import { builder } from '../graphql/builder.js';
import { connectionOf, followedConnectionOf } from '../graphql/common.js';
import { requireViewer } from '../graphql/viewer.js';
import { parseSeqCursor } from '../realtime/cursor.js';
import { activityStream, type ActivityEvent } from './events.js';
import type { ActivityView, AuditFilter, AuditView } from './service.js';
import type { Delivery } from '../realtime/realtime.js';

export const CourseActivityEntryRef = builder.objectRef<ActivityView>('CourseActivityEntry').implement({
  description:
    "One entry of a course's activity feed (staff only). Types: member.joined, member.first_launch, messages.hourly (data.count over data.from … data.to), session.* and booking.* (the schedule), live.started and live.ended (a live class: data.classId, data.title; data.minutes when ended), tutor.budget_warning.",
  fields: (t) => ({
    id: t.exposeID('id'),
    courseId: t.exposeID('courseId'),
    type: t.exposeString('type'),
    actorId: t.exposeID('actorId', { nullable: true, description: 'Who did it (null: the system).' }),
    actorName: t.exposeString('actorName', { nullable: true }),
    data: t.field({ type: 'JSON', description: 'What the entry shows; its keys depend on `type`.', resolve: (e) => e.data }),
    createdAt: t.field({ type: 'DateTime', resolve: (e) => e.createdAt }),
  }),
});
const CourseActivityConnection = followedConnectionOf<ActivityView>('CourseActivityEntry', CourseActivityEntryRef, 'courseActivityFeed');

export const AuditEntryRef = builder.objectRef<AuditView>('AuditEntry').implement({
  description: 'One change in the audit log: who (a person, an API key, or the system), what, when, and the values before and after.',
  fields: (t) => ({
    id: t.exposeID('id'),
    courseId: t.exposeID('courseId', { nullable: true }),
    actorId: t.exposeID('actorId', { nullable: true, description: "The person, or the API key's creator; null: the system." }),
    actorName: t.exposeString('actorName', { nullable: true }),
    apiKeyId: t.exposeID('apiKeyId', { nullable: true, description: 'The API key that made the change, when one did.' }),
    entity: t.exposeString('entity', {
      description:
        'membership | room | room_member | message | tutor_settings | session | series | office_hours | booking | schedule_settings …',
    }),
    entityId: t.exposeString('entityId'),
    subjectName: t.exposeString('subjectName', {
      nullable: true,
      description: 'The person the entry is about (a membership, a mute), by name; null otherwise.',
    }),
    action: t.exposeString('action'),
    before: t.field({ type: 'JSON', nullable: true, resolve: (e) => e.before }),
    after: t.field({ type: 'JSON', nullable: true, resolve: (e) => e.after }),
    createdAt: t.field({ type: 'DateTime', resolve: (e) => e.createdAt }),
  }),
});
const AuditConnection = connectionOf<AuditView>('AuditEntry', AuditEntryRef);

builder.queryFields((t) => {
  const filter = {
    courseId: t.arg.id({ description: "A course's entries (its staff). Without it: the whole tenant's (its LMS administrators)." }),
    entity: t.arg.string(),
    entityId: t.arg.string(),
    action: t.arg.string(),
    since: t.arg({ type: 'DateTime', description: 'From this instant (included).' }),
    until: t.arg({ type: 'DateTime', description: 'Before this instant.' }),
  };
  const toFilter = (a: {
    courseId?: string | number | null;
    entity?: string | null;
    entityId?: string | null;
    action?: string | null;
    since?: Date | null;
    until?: Date | null;
  }): AuditFilter => ({
    courseId: a.courseId == null ? null : String(a.courseId),
    entity: a.entity,
    entityId: a.entityId,
    action: a.action,
    since: a.since,
    until: a.until,
  });
  return {
    courseActivityEntries: t.field({
      type: CourseActivityConnection,
      description:
        "The course's activity feed, newest first (staff; FORBIDDEN for other members). Its `cursor` is where courseActivityFeed follows it from.",
      args: {
        courseId: t.arg.id({ required: true }),
        first: t.arg.int(),
        after: t.arg.string(),
        last: t.arg.int(),
        before: t.arg.string(),
      },
      resolve: (_r, { courseId, ...page }, ctx) => ctx.services.activity.feed(requireViewer(ctx), String(courseId), page),
    }),
    auditLog: t.field({
      type: AuditConnection,
      description: 'The audit log, newest first, filtered. Read only: nothing in the API changes or removes an entry.',
      args: { ...filter, first: t.arg.int(), after: t.arg.string(), last: t.arg.int(), before: t.arg.string() },
      resolve: (_r, { first, after, last, before, ...f }, ctx) =>
        ctx.services.activity.audit(requireViewer(ctx), toFilter(f), { first, after, last, before }),
    }),
    auditLogCsv: t.string({
      description:
        'The audit log with the same filter, as CSV (RFC 4180, CRLF; cells starting with = + - @ are prefixed with an apostrophe so no spreadsheet runs them), newest first, at most 10,000 rows.',
      args: filter,
      resolve: (_r, f, ctx) => ctx.services.activity.auditCsv(requireViewer(ctx), toFilter(f)),
    }),
  };
});

interface ActivityFeedEventView {
  cursor: string;
  entry: ActivityView;
}
const ActivityFeedEventRef = builder.objectRef<ActivityFeedEventView>('CourseActivityFeedEvent').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: 'Pass as `after` to resume right after this event.' }),
    entry: t.field({ type: CourseActivityEntryRef, resolve: (e) => e.entry }),
  }),
});

function toFeedEvent(d: Delivery<ActivityEvent>): ActivityFeedEventView | null {
  if (d.kind !== 'event') return null;
  const p = d.event.payload;
  return { cursor: String(d.event.seq), entry: { ...p, createdAt: new Date(p.createdAt) } };
}

builder.subscriptionFields((t) => ({
  courseActivityFeed: t.field({
    type: ActivityFeedEventRef,
    description:
      "The course's activity feed as entries are added (staff; checked on every event: a member who stops being staff stops receiving). With `after` (the `cursor` of courseActivityEntries, or an event's), replays from there first.",
    args: { courseId: t.arg.id({ required: true }), after: t.arg.string() },
    // A feed: the same entry for every reader; each reader's right is checked per event.
    extensions: { feed: true },
    subscribe: async (_r, { courseId, after }, ctx) => {
      const viewer = requireViewer(ctx);
      const id = String(courseId);
      const { activity, realtime } = ctx.services;
      await activity.requireStaffRead(viewer, id);
      return realtime.feed({
        stream: activityStream(id),
        after: parseSeqCursor(after),
        signals: false,
        authorizeNow: () => activity.canReadStaffNow(viewer, id),
        authorize: () => activity.canReadStaff(viewer, id),
        map: toFeedEvent,
        signal: ctx.signal,
      });
    },
    resolve: (e) => e,
  }),
}));
