/** Presence of a course (`presence:<courseId>`): signals only, a member's new state with a growing version. */
import { defineStream } from '../realtime/events.js';
import type { PresenceChange } from './service.js';

/** The tenant is carried for the subscribers' check (a course's readers are all of its tenant). */
export type PresenceSignal =
  | { type: 'presence'; payload: PresenceChange & { tenantId: string } }
  /** A tab now shows another part of the tool (the live dashboard's "where"); presence subscribers ignore it. */
  | { type: 'presence.section'; payload: { userId: string; section: string; tenantId: string } };

export const presenceStream = defineStream<never, PresenceSignal>('presence');
