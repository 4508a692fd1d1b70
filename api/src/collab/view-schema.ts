/**
 * The GraphQL types shared by the collab schema files: the enums and the `CollabDocument` a session opens. Each type
 * renders a view as it is (the service builds the view for its viewer).
 */
import { builder } from '../graphql/builder.js';
import type { CollabDocumentView } from './events.js';

export const CollabLanguageEnum = builder.enumType('CollabLanguage', {
  description: 'The language of a session: what the editor highlights.',
  values: {
    PYTHON: { value: 'python' },
    JAVASCRIPT: { value: 'javascript' },
    TYPESCRIPT: { value: 'typescript' },
    JAVA: { value: 'java' },
    C: { value: 'c' },
    CPP: { value: 'cpp' },
    GO: { value: 'go' },
    SQL: { value: 'sql' },
  } as const,
});

export const CollabVisibilityEnum = builder.enumType('CollabVisibility', {
  description: 'COURSE: any member of the course may join; CODE: private, joined with the access code.',
  values: { COURSE: { value: 'course' }, CODE: { value: 'code' } } as const,
});

export const CollabModeEnum = builder.enumType('CollabMode', {
  description: 'SHARED: one document everyone edits; PER_STUDENT: an exercise, every student edits their own copy.',
  values: { SHARED: { value: 'shared' }, PER_STUDENT: { value: 'per_student' } } as const,
});

export const CollabUpdateKindEnum = builder.enumType('CollabUpdateKind', {
  description: 'EDIT: typed by a person; RESET: the text put back to the starting code; RESTORE: a named version restored.',
  values: { EDIT: { value: 'edit' }, RESET: { value: 'reset' }, RESTORE: { value: 'restore' } } as const,
});

export const CollabDocumentRef = builder.objectRef<CollabDocumentView>('CollabDocument').implement({
  description:
    "A Yjs document holding one root Y.Text named `code`: the shared document of a session, or a student's copy of an exercise. Load `state` into a Y.Doc, then follow `collabDocumentEvents(after: cursor)`.",
  fields: (t) => ({
    id: t.exposeID('id'),
    sessionId: t.exposeID('sessionId'),
    ownerId: t.exposeID('ownerId', {
      nullable: true,
      description: "The student whose copy it is; null for the session's shared document.",
    }),
    ownerName: t.exposeString('ownerName', { nullable: true }),
    state: t.exposeString('state', { description: 'The full Yjs state (update v1), base64: the snapshot and the log after it, merged.' }),
    cursor: t.exposeString('cursor', { description: 'The document stream position `state` reflects: `after` for collabDocumentEvents.' }),
    text: t.exposeString('text'),
    textLength: t.exposeInt('textLength'),
    editedAt: t.field({ type: 'DateTime', nullable: true, resolve: (d) => d.editedAt }),
    startedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: "When the copy's student first edited it (null: not started; always null for the shared document).",
      resolve: (d) => d.startedAt,
    }),
    language: t.field({ type: CollabLanguageEnum, resolve: (d) => d.language }),
    locked: t.exposeBoolean('locked'),
    viewerCanEdit: t.exposeBoolean('viewerCanEdit'),
    viewerCanManage: t.exposeBoolean('viewerCanManage'),
  }),
});
