import type { Context } from './context.js';
import type { Viewer } from '../auth/viewer.js';
import { AppError } from '../errors.js';

/** The signed-in viewer, or UNAUTHENTICATED with a message that says how to sign in. */
export function requireViewer(ctx: Context): Viewer {
  if (!ctx.viewer) {
    throw new AppError(
      'UNAUTHENTICATED',
      'Sign in first: open the tool from your course, or send an API key as "Authorization: Bearer <key>".',
    );
  }
  return ctx.viewer;
}
