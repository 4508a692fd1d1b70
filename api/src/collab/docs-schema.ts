/**
 * Collab documents in GraphQL: loading one, applying Yjs updates, following them (with awareness), reset, named
 * versions and replay. Thin: every rule is in documents.ts.
 */
import { builder } from '../graphql/builder.js';
import { requireViewer } from '../graphql/viewer.js';
import { parseSeqCursor } from '../realtime/cursor.js';
import type { CollabDocumentEventOut, CollabReplay, CollabReplayStep, CollabUpdateResult, CollabVersionView } from './documents.js';
import { CollabDocumentRef, CollabUpdateKindEnum } from './view-schema.js';

type UpdateEventOut = Extract<CollabDocumentEventOut, { type: 'update' }>;
type AwarenessEventOut = Extract<CollabDocumentEventOut, { type: 'awareness' }>;

const CollabUpdateResultRef = builder.objectRef<CollabUpdateResult>('CollabUpdateResult').implement({
  fields: (t) => ({
    stored: t.exposeBoolean('stored', { description: 'False when the update held nothing new (a resend): nothing was stored.' }),
    cursor: t.exposeString('cursor', {
      nullable: true,
      description: 'The stream position of the stored update; null when nothing was stored.',
    }),
  }),
});

const CollabUpdateEventRef = builder.objectRef<UpdateEventOut>('CollabUpdateEvent').implement({
  description: 'A stored update of the document: apply it to your Y.Doc (applying one twice changes nothing).',
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
    update: t.exposeString('update', { description: 'The Yjs update (v1), base64: only what it added to the document.' }),
    userId: t.exposeID('userId'),
    kind: t.field({ type: CollabUpdateKindEnum, resolve: (e) => e.kind }),
    clientTag: t.exposeString('clientTag', { nullable: true, description: 'The tag the sending client gave applyCollabUpdate.' }),
  }),
});

const CollabAwarenessEventRef = builder.objectRef<AwarenessEventOut>('CollabAwarenessEvent').implement({
  description:
    "One client's awareness (cursor, selection, who): apply `update` with y-protocols `applyAwarenessUpdate`. Not stored; clients renew it every 15 s, it expires after 30 s.",
  fields: (t) => ({
    userId: t.exposeID('userId'),
    name: t.exposeString('name'),
    color: t.exposeString('color'),
    // A Float, not an Int: Yjs client ids are unsigned 32-bit, past GraphQL Int's signed range (a whole number still).
    clientId: t.exposeFloat('clientId', { description: 'The Yjs client id the update is of (an unsigned 32-bit whole number).' }),
    update: t.exposeString('update', { description: 'y-protocols awareness update, base64; its `user` field is set by the server.' }),
  }),
});

const CollabDocumentEventRef = builder.unionType('CollabDocumentEvent', {
  types: [CollabUpdateEventRef, CollabAwarenessEventRef],
  resolveType: (e) => (e.type === 'update' ? CollabUpdateEventRef : CollabAwarenessEventRef),
});

const CollabVersionRef = builder.objectRef<CollabVersionView>('CollabVersion').implement({
  description: 'A named version of a document: restoring it applies its text as a forward update others see.',
  fields: (t) => ({
    id: t.exposeID('id'),
    documentId: t.exposeID('documentId'),
    name: t.exposeString('name'),
    text: t.exposeString('text'),
    cursor: t.exposeString('cursor', { description: 'The document stream position when it was saved.' }),
    createdAt: t.field({ type: 'DateTime', resolve: (v) => v.createdAt }),
    createdByName: t.exposeString('createdByName', { nullable: true }),
  }),
});

const CollabReplayStepRef = builder.objectRef<CollabReplayStep>('CollabReplayStep').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    at: t.field({ type: 'DateTime', resolve: (s) => s.at }),
    userId: t.exposeID('userId'),
    userName: t.exposeString('userName'),
    kind: t.field({ type: CollabUpdateKindEnum, resolve: (s) => s.kind }),
    update: t.exposeString('update', { description: 'The stored Yjs update, base64.' }),
  }),
});

const CollabReplayRef = builder.objectRef<CollabReplay>('CollabReplay').implement({
  description: 'How a document grew, update by update: apply `base`, then each step in order.',
  fields: (t) => ({
    documentId: t.exposeID('documentId'),
    base: t.exposeString('base', {
      description: 'The Yjs state the first update applies to (the starting code, or the fork base of a copy).',
    }),
    steps: t.field({ type: [CollabReplayStepRef], resolve: (r) => r.steps }),
    hasMore: t.exposeBoolean('hasMore', { description: "More steps follow: ask again with `after` = the last step's cursor." }),
  }),
});

builder.queryFields((t) => ({
  collabDocument: t.field({
    type: CollabDocumentRef,
    description: 'A collab document with its full state and the cursor to follow it from (readers of the document).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => ctx.services.collabDocuments.get(requireViewer(ctx), String(id)),
  }),
  collabVersions: t.field({
    type: [CollabVersionRef],
    description: "A document's named versions, newest first (readers of the document).",
    args: { documentId: t.arg.id({ required: true }) },
    resolve: (_r, { documentId }, ctx) => ctx.services.collabDocuments.versions(requireViewer(ctx), String(documentId)),
  }),
  collabReplay: t.field({
    type: CollabReplayRef,
    description: "A document's updates in order, for replay: managers, and a copy's own student. `first` ≤ 2000 (default 1000).",
    args: { documentId: t.arg.id({ required: true }), after: t.arg.string(), first: t.arg.int() },
    resolve: (_r, { documentId, after, first }, ctx) =>
      ctx.services.collabDocuments.replay(requireViewer(ctx), String(documentId), parseSeqCursor(after), first ?? 1000),
  }),
}));

builder.mutationFields((t) => ({
  applyCollabUpdate: t.field({
    type: CollabUpdateResultRef,
    description:
      'Applies a Yjs update (v1, base64) to a document: only what is new is stored and sent to followers. Errors: MALFORMED_UPDATE, UPDATE_TOO_LARGE, DOCUMENT_TOO_LARGE, RATE_LIMITED, OUT_OF_SYNC (send `Y.encodeStateAsUpdate(doc)` instead), DOCUMENT_LOCKED.',
    args: { documentId: t.arg.id({ required: true }), update: t.arg.string({ required: true }), clientTag: t.arg.string() },
    resolve: (_r, { documentId, update, clientTag }, ctx) =>
      ctx.services.collabDocuments.applyUpdate(requireViewer(ctx), String(documentId), update, clientTag ?? null),
  }),
  sendCollabAwareness: t.field({
    type: 'Boolean',
    description:
      "Sends one client's awareness update (y-protocols encoding, base64, ≤ 8 KiB) to the document's followers; the server sets `user` (name, colour).",
    args: { documentId: t.arg.id({ required: true }), update: t.arg.string({ required: true }) },
    resolve: (_r, { documentId, update }, ctx) =>
      ctx.services.collabDocuments.sendAwareness(requireViewer(ctx), String(documentId), update),
  }),
  resetCollabDocument: t.field({
    type: CollabUpdateResultRef,
    description: "Puts the session's starting code back, as an update others see (kind RESET): managers, and a copy's own student.",
    args: { documentId: t.arg.id({ required: true }) },
    resolve: (_r, { documentId }, ctx) => ctx.services.collabDocuments.reset(requireViewer(ctx), String(documentId)),
  }),
  saveCollabVersion: t.field({
    type: CollabVersionRef,
    description: "Saves the document's current text under a name (1–80 characters): people who may edit it.",
    args: { documentId: t.arg.id({ required: true }), name: t.arg.string({ required: true }) },
    resolve: (_r, { documentId, name }, ctx) => ctx.services.collabDocuments.saveVersion(requireViewer(ctx), String(documentId), name),
  }),
  restoreCollabVersion: t.field({
    type: CollabUpdateResultRef,
    description: "Restores a named version as an update others see (kind RESTORE): managers, and a copy's own student while unlocked.",
    args: { versionId: t.arg.id({ required: true }) },
    resolve: (_r, { versionId }, ctx) => ctx.services.collabDocuments.restoreVersion(requireViewer(ctx), String(versionId)),
  }),
}));

builder.subscriptionFields((t) => ({
  collabDocumentEvents: t.field({
    type: CollabDocumentEventRef,
    description:
      "A document's stored updates after `after` (CollabDocument.cursor, or the last update's), then live, and awareness signals. CURSOR_EXPIRED: the updates after the cursor were compacted; load collabDocument again and follow from its cursor.",
    args: { documentId: t.arg.id({ required: true }), after: t.arg.string() },
    // A feed: every reader gets the same payloads, rendered once per event.
    extensions: { feed: true },
    subscribe: (_r, { documentId, after }, ctx) =>
      ctx.services.collabDocuments.follow(requireViewer(ctx), String(documentId), parseSeqCursor(after), ctx.signal),
    resolve: (e) => e,
  }),
}));
