/** Presence: who is online or away in a course, and the live changes; a subscribed tab counts as present. */
import { builder } from '../graphql/builder.js';
import { CourseRef } from '../courses/schema.js';
import { requireViewer } from '../graphql/viewer.js';
import { PresenceService, type PresenceState } from './service.js';
import { presenceStream } from './events.js';
import { onAbort } from '../abort.js';

const PresenceStateEnum = builder.enumType('PresenceState', {
  values: { ONLINE: { value: 'online' }, AWAY: { value: 'away' }, OFFLINE: { value: 'offline' } } as const,
});

const MemberPresenceRef = builder.objectRef<{ userId: string; state: PresenceState; version?: number }>('MemberPresence').implement({
  fields: (t) => ({
    userId: t.exposeID('userId'),
    state: t.field({ type: PresenceStateEnum, resolve: (p) => p.state }),
    version: t.int({ description: 'Grows with every change: keep the highest per user.', resolve: (p) => p.version ?? 0 }),
  }),
});

builder.objectField(CourseRef, 'presence', (t) =>
  t.field({
    type: [MemberPresenceRef],
    description: 'Members online or away now; everyone else is offline.',
    resolve: async (c, _a, ctx) => {
      await ctx.services.access.requireCourseRead(requireViewer(ctx), c.id);
      return ctx.services.presence.list(c.id);
    },
  }),
);

builder.mutationFields((t) => ({
  setPresence: t.field({
    type: PresenceStateEnum,
    description:
      "Marks one tab ONLINE (visible) or AWAY (hidden), and with `section` the part of the tool it shows now (hub, chat, tutor, live, collab, schedule, dashboard…: what the instructor's live dashboard counts); returns the user's state across their tabs.",
    args: {
      courseId: t.arg.id({ required: true }),
      tabId: t.arg.string({ required: true }),
      state: t.arg({ type: PresenceStateEnum, required: true }),
      section: t.arg.string({ description: 'Lower-case name of the part of the tool the tab shows; none: unchanged.' }),
    },
    resolve: (_r, { courseId, tabId, state, section }, ctx) =>
      ctx.services.presence.setTab(requireViewer(ctx), String(courseId), tabId, state, section),
  }),
}));

builder.subscriptionFields((t) => ({
  presence: t.field({
    type: MemberPresenceRef,
    description:
      "Presence changes in a course. A signed-in user's tab (tabId) counts as online while subscribed. Ephemeral signals only (nothing is stored, so there is no `after` to resume from): start from `Course.presence` and keep the highest `version` per user.",
    args: {
      courseId: t.arg.id({ required: true }),
      tabId: t.arg.string(),
      section: t.arg.string({ description: 'With tabId: the part of the tool the tab shows (change it later with setPresence).' }),
    },
    // A feed: a change is the same for every reader of the course, so the WebSocket transport serves a course's
    // subscribers as one fan-out group (realtime/fanout.ts); each reader's right is still checked on every change.
    extensions: { feed: true },
    subscribe: async (_r, { courseId, tabId, section }, ctx) => {
      const viewer = requireViewer(ctx);
      const id = String(courseId);
      const { access, realtime, presence } = ctx.services;
      await access.requireCourseRead(viewer, id);
      if (tabId != null) PresenceService.checkTabId(tabId);
      if (section != null) PresenceService.checkSection(section);
      // Every reader of the course is of its tenant (the check above): a change of another tenant is never sent.
      const tenantId = viewer.tenantId;
      const held = new AbortController();
      const leave = () => held.abort();
      onAbort(ctx.signal, leave);
      if (viewer.kind === 'session' && tabId != null) presence.hold(viewer.tenantId, id, viewer.userId, tabId, held.signal, section ?? '');
      return realtime.feed({
        stream: presenceStream(id),
        after: null,
        signals: true,
        authorizeNow: () => access.canReadCourseNow(viewer, id),
        authorize: () => access.canReadCourse(viewer, id),
        map: (d) =>
          d.kind === 'signal' && d.signal.type === 'presence' && d.signal.payload.tenantId === tenantId
            ? { userId: d.signal.payload.userId, state: d.signal.payload.state, version: d.signal.payload.version }
            : null,
        signal: ctx.signal,
        onEnd: leave,
      });
    },
    resolve: (p) => p,
  }),
}));
