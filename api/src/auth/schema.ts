/** Session renewal: the SPA trades a still-valid session token for a fresh one before it expires. */
import { builder } from '../graphql/builder.js';
import { requireViewer } from '../graphql/viewer.js';

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
    resolve: (_r, _a, ctx) => ctx.services.auth.refresh(requireViewer(ctx)),
  }),
}));
