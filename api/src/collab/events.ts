/**
 * Collab streams:
 * - `collab:<documentId>`: a document's Yjs updates, stored (a durable stream: it IS the update log until the
 *   compaction job merges it into the document's snapshot), and awareness (who is here, cursors, selections) as
 *   ephemeral signals.
 * - `collab-session:<sessionId>`: the session changing (title, lock, mode), students' copies appearing, deletion.
 * - `collab-course:<courseId>`: a course's list of sessions (the Collab tab follows it).
 */
import { defineStream } from '../realtime/events.js';
import type { CollabLanguage } from './tables.js';

/** How an update came about: typed by a person, or written by the server for a reset or a restored version. */
export type CollabUpdateKind = 'edit' | 'reset' | 'restore';

export interface CollabUpdatePayload {
  /** The Yjs update (base64 of its bytes). */
  update: string;
  /** Who sent it (for reset and restore: who asked). */
  userId: string;
  kind: CollabUpdateKind;
  /** A tag the sending client chose (it recognises its own updates coming back); null for the server's. */
  clientTag: string | null;
}

export type CollabDocEvent = { type: 'update'; payload: CollabUpdatePayload };

/** An awareness update (y-protocols encoding, base64) of one Yjs client, its `user` field set by the server. */
export interface CollabAwarenessPayload {
  userId: string;
  name: string;
  color: string;
  /** The Yjs client id the update is of. */
  clientId: number;
  update: string;
}

export type CollabDocSignal = { type: 'awareness'; payload: CollabAwarenessPayload };

export const collabDocStream = defineStream<CollabDocEvent, CollabDocSignal>('collab', { durable: true });

export type CollabMode = 'shared' | 'per_student';

/** A student's copy of an exercise as the class grid lists it. */
export interface CollabCopyView {
  documentId: string;
  sessionId: string;
  userId: string;
  userName: string;
  createdAt: string;
}

export type CollabSessionEvent =
  | {
      type: 'session.updated';
      payload: { sessionId: string; locked: boolean; mode: CollabMode; title: string; updatedAt: string };
    }
  | { type: 'session.deleted'; payload: { sessionId: string } }
  | { type: 'copy.created'; payload: { copy: CollabCopyView } };

export const collabSessionStream = defineStream<CollabSessionEvent>('collab-session');

export type CollabCourseEvent = {
  type: 'session.created' | 'session.updated' | 'session.deleted';
  payload: { sessionId: string };
};

export const collabCourseStream = defineStream<CollabCourseEvent>('collab-course');

/** A document as its viewer gets it (CollabDocuments.view). */
export interface CollabDocumentView {
  id: string;
  sessionId: string;
  ownerId: string | null;
  ownerName: string | null;
  /** Full Yjs state, base64. */
  state: string;
  cursor: string;
  text: string;
  textLength: number;
  editedAt: Date | null;
  startedAt: Date | null;
  language: CollabLanguage;
  locked: boolean;
  viewerCanEdit: boolean;
  viewerCanManage: boolean;
}
