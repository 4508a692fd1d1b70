/** Session renewal: the SPA trades a still-valid session token for a fresh one before it expires. */
import { builder } from '../graphql/builder.js';
import { requireViewer } from '../graphql/viewer.js';
import { AppError } from '../errors.js';

const SessionRef = builder.objectRef<{ token: string; expiresAt: Date }>('Session').implement({
  fields: (t) => ({
    token: t.exposeString('token'),
    expiresAt: t.field({ type: 'DateTime', resolve: (s) => s.expiresAt }),
  }),
});

builder.mutationFields((t) => ({
  refreshSession: t.field({
    type: SessionRef,
    description: 'A new session token for the same user and course, while the membership is still active.',
    resolve: async (_r, _a, ctx) => {
      const viewer = requireViewer(ctx);
      if (viewer.kind !== 'session') throw new AppError('FORBIDDEN', 'Only a session can be refreshed.');
      const { access, sessions, config } = ctx.services;
      let roles = viewer.roles;
      if (viewer.courseId) {
        const m = await access.membership(viewer.courseId, viewer.userId);
        if (!m || !m.active) throw new AppError('UNAUTHENTICATED', 'You are no longer a member of this course. Open the tool again from your LMS.');
        roles = m.roles;
      }
      const token = await sessions.issue({ tenantId: viewer.tenantId, userId: viewer.userId, courseId: viewer.courseId, roles });
      return { token, expiresAt: new Date(Date.now() + config.sessionTtlSeconds * 1000) };
    },
  }),
}));
