/** Presence: who is online or away in a course, and the live changes; a subscribed tab counts as present. */
import { builder } from '../graphql/builder.js';
import { CourseRef } from '../courses/schema.js';
import { requireViewer } from '../graphql/viewer.js';
import { AppError } from '../errors.js';
import { PresenceService, presenceStream, type PresenceChange, type PresenceState } from './service.js';

const PresenceStateEnum = builder.enumType('PresenceState', { values: { ONLINE: { value: 'online' }, AWAY: { value: 'away' }, OFFLINE: { value: 'offline' } } as const });

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
    description: "Marks one tab ONLINE (visible) or AWAY (hidden); returns the user's state across their tabs.",
    args: { courseId: t.arg.id({ required: true }), tabId: t.arg.string({ required: true }), state: t.arg({ type: PresenceStateEnum, required: true }) },
    resolve: async (_r, { courseId, tabId, state }, ctx) => {
      const viewer = requireViewer(ctx);
      if (viewer.kind !== 'session') throw new AppError('FORBIDDEN', 'Presence belongs to people.');
      PresenceService.checkTabId(tabId);
      await ctx.services.access.requireCourseRead(viewer, String(courseId));
      if (state === 'offline') throw new AppError('BAD_USER_INPUT', 'A tab is ONLINE or AWAY; close the presence subscription to leave.');
      return ctx.services.presence.touch(viewer.tenantId, String(courseId), viewer.userId, tabId, state);
    },
  }),
}));

builder.subscriptionFields((t) => ({
  presence: t.field({
    type: MemberPresenceRef,
    description: "Presence changes in a course. A signed-in user's tab (tabId) counts as online while subscribed.",
    args: { courseId: t.arg.id({ required: true }), tabId: t.arg.string() },
    subscribe: async function* (_r, { courseId, tabId }, ctx) {
      const viewer = requireViewer(ctx);
      const id = String(courseId);
      const { access, realtime, presence } = ctx.services;
      await access.requireCourseRead(viewer, id);
      if (tabId != null) PresenceService.checkTabId(tabId);
      const held = new AbortController();
      const stream = realtime.subscribe(presenceStream(id), { signals: true, signal: ctx.signal });
      try {
        if (viewer.kind === 'session' && tabId != null) presence.hold(viewer.tenantId, id, viewer.userId, tabId, held.signal);
        for await (const d of stream) {
          if (d.kind !== 'signal' || d.signal.type !== 'presence') continue;
          if (!(await access.canReadCourse(viewer, id))) throw new AppError('FORBIDDEN', 'You no longer have access to this course.');
          const p = d.signal.payload as PresenceChange & { tenantId: string };
          if (p.tenantId === viewer.tenantId) yield { userId: p.userId, state: p.state, version: p.version };
        }
      } finally {
        held.abort();
      }
    },
    resolve: (p) => p,
  }),
}));
