/**
 * Collab sessions in GraphQL: the session (with the cursor its page follows from), a course's sessions, the LMS
 * activities a session is handed out from, the class grid of an exercise, the mutations that create, edit, lock,
 * fork, delete and join a session, and the session's and the course's events. The documents' own fields, mutations
 * and events are in docs-schema.ts; the shared refs and enums in view-schema.ts.
 */
import { builder } from '../graphql/builder.js';
import { requireViewer } from '../graphql/viewer.js';
import { parseSeqCursor } from '../realtime/cursor.js';
import type {
  CollabActivityView,
  CollabCopyOut,
  CollabGridView,
  CollabSessionEventOut,
  CollabSessionInput,
  CollabSessionView,
  CourseCollabSessionEventOut,
} from './service.js';
import type { CollabLanguage } from './tables.js';
import { CollabDocumentRef, CollabLanguageEnum, CollabModeEnum, CollabVisibilityEnum } from './view-schema.js';

const CollabActivityRef = builder.objectRef<CollabActivityView>('CollabActivity').implement({
  description: 'A deep-linked LMS activity (a resource link of the course) a session is handed out from.',
  fields: (t) => ({ id: t.exposeID('id'), title: t.exposeString('title', { nullable: true }) }),
});

const CollabSessionRef = builder.objectRef<CollabSessionView>('CollabSession').implement({
  description:
    'A collaborative code session of a course: one shared document everyone who joined edits (SHARED), or an exercise where every student edits their own copy (PER_STUDENT). Its owner and the course staff manage it.',
  fields: (t) => ({
    id: t.exposeID('id'),
    courseId: t.exposeID('courseId'),
    title: t.exposeString('title'),
    description: t.exposeString('description'),
    language: t.field({ type: CollabLanguageEnum, resolve: (s) => s.language as CollabLanguage }),
    startingCode: t.exposeString('startingCode', { description: 'What a document starts with, and what a reset puts back.' }),
    visibility: t.field({ type: CollabVisibilityEnum, resolve: (s) => s.visibility as 'course' | 'code' }),
    accessCode: t.string({
      nullable: true,
      description: 'The code that opens a private (CODE) session: shown to its managers only; null for others and for COURSE sessions.',
      resolve: (s, _a, ctx) => ctx.services.collab.accessCode(requireViewer(ctx), s),
    }),
    maxCollaborators: t.exposeInt('maxCollaborators', {
      nullable: true,
      description: 'People who may join at most (its owner and the course staff not counted); null: no limit.',
    }),
    collaboratorCount: t.int({
      description: 'People who joined (managers not counted).',
      resolve: (s, _a, ctx) => ctx.services.collab.collaboratorCount(s),
    }),
    ownerId: t.exposeID('ownerId'),
    ownerName: t.string({ resolve: (s, _a, ctx) => ctx.services.collab.ownerName(s) }),
    activity: t.field({
      type: CollabActivityRef,
      nullable: true,
      description: 'The LMS activity the session is handed out from: launching it opens this session.',
      resolve: (s, _a, ctx) => ctx.services.collab.activity(s),
    }),
    mode: t.field({ type: CollabModeEnum, resolve: (s) => s.mode as 'shared' | 'per_student' }),
    locked: t.exposeBoolean('locked', { description: 'Read-only for everyone but its owner and the course staff.' }),
    forkedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it became an exercise (PER_STUDENT): copies start from the shared document as it was then.',
      resolve: (s) => s.forkedAt,
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (s) => s.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (s) => s.updatedAt }),
    viewerCanManage: t.boolean({
      description: 'Whether the viewer manages the session (its owner, the course staff): edit, lock, reset, fork, grid, delete.',
      resolve: (s, _a, ctx) => ctx.services.collab.canManage(requireViewer(ctx), s),
    }),
    viewerJoined: t.boolean({
      description: 'Whether the viewer opens its documents without joining first (joined already, or manages it).',
      resolve: (s, _a, ctx) => ctx.services.collab.joined(requireViewer(ctx), s),
    }),
    sharedDocumentId: t.exposeID('sharedDocumentId', {
      description: "The session's shared document (in an exercise: the template only managers edit).",
    }),
    viewerDocumentId: t.id({
      nullable: true,
      description:
        'The document the viewer opens: the shared one (SHARED sessions, and managers), their own copy (PER_STUDENT, once made by joinCollabSession); null before joining.',
      resolve: (s, _a, ctx) => ctx.services.collab.viewerDocumentId(requireViewer(ctx), s),
    }),
    cursor: t.exposeString('cursor', {
      description: 'The session stream position what is read with it reflects: pass as `after` to collabSessionEvents.',
    }),
  }),
});

const CourseCollabSessionsRef = builder.objectRef<{ sessions: CollabSessionView[]; cursor: string }>('CourseCollabSessions').implement({
  fields: (t) => ({
    sessions: t.field({ type: [CollabSessionRef], description: 'Newest first.', resolve: (l) => l.sessions }),
    cursor: t.exposeString('cursor', {
      description: 'The course stream position the list reflects: pass as `after` to courseCollabSessionEvents.',
    }),
  }),
});

const CollabCopyRef = builder.objectRef<CollabCopyOut>('CollabCopy').implement({
  description: "A learner's copy of an exercise, as the class grid lists it.",
  fields: (t) => ({
    userId: t.exposeID('userId'),
    userName: t.exposeString('userName'),
    started: t.exposeBoolean('started', { description: 'Whether the learner has typed in their copy yet.' }),
    document: t.field({
      type: CollabDocumentRef,
      nullable: true,
      description: 'Their copy; null until they open the exercise (joinCollabSession makes it).',
      resolve: (c) => c.document,
    }),
  }),
});

const CollabGridRef = builder.objectRef<CollabGridView>('CollabGrid').implement({
  description: "An exercise's class grid: every active learner of the course, by name, with their copy.",
  fields: (t) => ({
    session: t.field({ type: CollabSessionRef, resolve: (g) => g.session }),
    copies: t.field({ type: [CollabCopyRef], resolve: (g) => g.copies }),
    cursor: t.exposeString('cursor', {
      description: 'The session stream position the grid reflects: pass as `after` to collabSessionEvents (copy.created).',
    }),
  }),
});

builder.queryFields((t) => ({
  collabSessions: t.field({
    type: CourseCollabSessionsRef,
    description: "A course's collab sessions, newest first, with the cursor to follow the list from (readers of the course).",
    args: { courseId: t.arg.id({ required: true }) },
    resolve: (_r, { courseId }, ctx) => ctx.services.collab.list(requireViewer(ctx), String(courseId)),
  }),
  collabSession: t.field({
    type: CollabSessionRef,
    description: 'One collab session (NOT_FOUND when the viewer may not read its course).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => ctx.services.collab.get(requireViewer(ctx), String(id)),
  }),
  collabSessionForActivity: t.field({
    type: CollabSessionRef,
    nullable: true,
    description:
      'The session handed out from an LMS activity (the `activity` a collab launch redirects with), null when none (readers of the course).',
    args: { activityId: t.arg.id({ required: true }) },
    resolve: (_r, { activityId }, ctx) => ctx.services.collab.forActivity(requireViewer(ctx), String(activityId)),
  }),
  collabActivities: t.field({
    type: [CollabActivityRef],
    description: "The course's deep-linked LMS activities a session can be handed out from, the Collab section's first (course staff).",
    args: { courseId: t.arg.id({ required: true }) },
    resolve: (_r, { courseId }, ctx) => ctx.services.collab.activities(requireViewer(ctx), String(courseId)),
  }),
  collabGrid: t.field({
    type: CollabGridRef,
    description: "An exercise's class grid (managers): every learner's copy, live with collabSessionEvents from its cursor.",
    args: { sessionId: t.arg.id({ required: true }) },
    resolve: (_r, { sessionId }, ctx) => ctx.services.collab.grid(requireViewer(ctx), String(sessionId)),
  }),
}));

const CreateCollabSessionInputRef = builder.inputType('CreateCollabSessionInput', {
  fields: (t) => ({
    courseId: t.id({ required: true }),
    title: t.string({ required: true, description: '1–120 characters.' }),
    description: t.string({ description: 'At most 2000 characters.' }),
    language: t.field({ type: CollabLanguageEnum, required: true }),
    startingCode: t.string({ description: 'What documents start with (at most COLLAB_MAX_DOCUMENT_CHARS characters).' }),
    visibility: t.field({ type: CollabVisibilityEnum, description: 'Default COURSE.' }),
    accessCode: t.string({
      description: 'CODE sessions: 4–32 letters, digits or dashes (stored upper case); none: one is generated.',
    }),
    maxCollaborators: t.int({ description: '1–500; none: no limit.' }),
    activityId: t.id({ description: 'An LMS activity of the course (collabActivities) to hand the session out from (staff).' }),
    mode: t.field({ type: CollabModeEnum, description: 'Default SHARED; PER_STUDENT (staff) hands out an exercise at once.' }),
  }),
});

const UpdateCollabSessionInputRef = builder.inputType('UpdateCollabSessionInput', {
  description: 'A field left out (or null) keeps its value.',
  fields: (t) => ({
    title: t.string(),
    description: t.string(),
    language: t.field({ type: CollabLanguageEnum }),
    startingCode: t.string({ description: 'What a reset puts back from now on (documents keep their text).' }),
    visibility: t.field({ type: CollabVisibilityEnum, description: 'To CODE without accessCode: a code is generated.' }),
    accessCode: t.string(),
    maxCollaborators: t.int(),
    clearMaxCollaborators: t.boolean({ description: 'No limit any more.' }),
    activityId: t.id(),
    clearActivity: t.boolean({ description: 'No LMS activity any more.' }),
  }),
});

type UpdateArg = typeof UpdateCollabSessionInputRef.$inferInput;
const toInput = (i: UpdateArg & { mode?: 'shared' | 'per_student' | null }): CollabSessionInput => ({
  ...i,
  activityId: i.activityId == null ? i.activityId : String(i.activityId),
});

builder.mutationFields((t) => ({
  createCollabSession: t.field({
    type: CollabSessionRef,
    description:
      'Creates a session (any member of the course but a guest; API keys do not): its owner manages it. PER_STUDENT and activityId: course staff only.',
    args: { input: t.arg({ type: CreateCollabSessionInputRef, required: true }) },
    resolve: (_r, { input }, ctx) => ctx.services.collab.create(requireViewer(ctx), String(input.courseId), toInput(input)),
  }),
  updateCollabSession: t.field({
    type: CollabSessionRef,
    description: 'Edits a session (its owner and the course staff).',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateCollabSessionInputRef, required: true }) },
    resolve: (_r, { id, input }, ctx) => ctx.services.collab.update(requireViewer(ctx), String(id), toInput(input)),
  }),
  deleteCollabSession: t.boolean({
    description: 'Deletes a session with its documents, their logs, versions and history (its owner and the course staff).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => ctx.services.collab.delete(requireViewer(ctx), String(id)),
  }),
  joinCollabSession: t.field({
    type: CollabDocumentRef,
    description:
      'Joins a session and answers the document to open: the shared one, or in an exercise the student’s own copy (made on first open). The first join of a private session takes its access code (ACCESS_CODE_REQUIRED, ACCESS_CODE_INVALID); SESSION_FULL past max collaborators. Managers need neither. Idempotent.',
    args: { id: t.arg.id({ required: true }), accessCode: t.arg.string() },
    resolve: (_r, { id, accessCode }, ctx) => ctx.services.collab.join(requireViewer(ctx), String(id), accessCode ?? null),
  }),
  setCollabSessionLocked: t.field({
    type: CollabSessionRef,
    description: 'Locks the session (read-only for everyone but its managers: DOCUMENT_LOCKED) or unlocks it (managers).',
    args: { id: t.arg.id({ required: true }), locked: t.arg.boolean({ required: true }) },
    resolve: (_r, { id, locked }, ctx) => ctx.services.collab.setLocked(requireViewer(ctx), String(id), locked),
  }),
  forkCollabSession: t.field({
    type: CollabSessionRef,
    description:
      'Makes the session an exercise (managers): every student gets their own copy of the shared document as it is now. CONFLICT when it already is one.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => ctx.services.collab.fork(requireViewer(ctx), String(id)),
  }),
}));

const CollabSessionEventRef = builder.objectRef<CollabSessionEventOut>('CollabSessionEvent').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: 'Pass as `after` to resume right after this event.' }),
    type: t.exposeString('type', { description: 'session.updated | session.deleted | copy.created' }),
    sessionId: t.exposeID('sessionId'),
    session: t.field({
      type: CollabSessionRef,
      nullable: true,
      description: 'The session now (session.updated).',
      resolve: (e) => e.session,
    }),
    copy: t.field({
      type: CollabCopyRef,
      nullable: true,
      description: "A student's copy just made (copy.created: managers get every one, a student their own).",
      resolve: (e) => e.copy,
    }),
  }),
});

const CourseCollabSessionEventRef = builder.objectRef<CourseCollabSessionEventOut>('CourseCollabSessionEvent').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    type: t.exposeString('type', { description: 'session.created | session.updated | session.deleted' }),
    sessionId: t.exposeID('sessionId'),
    session: t.field({
      type: CollabSessionRef,
      nullable: true,
      description: 'The session now (null once deleted).',
      resolve: (e) => e.session,
    }),
  }),
});

builder.subscriptionFields((t) => ({
  collabSessionEvents: t.field({
    type: CollabSessionEventRef,
    description:
      "A session's events: changed (title, lock, mode…), deleted (the last event), a student's copy made. With `after` (CollabSession.cursor, CollabGrid.cursor or the last event's), replays first.",
    args: { sessionId: t.arg.id({ required: true }), after: t.arg.string() },
    subscribe: (_r, { sessionId, after }, ctx) =>
      ctx.services.collab.followSession(requireViewer(ctx), String(sessionId), parseSeqCursor(after), ctx.signal),
    resolve: (e) => e,
  }),
  courseCollabSessionEvents: t.field({
    type: CourseCollabSessionEventRef,
    description: "A course's sessions as they are created, changed and deleted. With `after` (CourseCollabSessions.cursor), replays first.",
    args: { courseId: t.arg.id({ required: true }), after: t.arg.string() },
    subscribe: (_r, { courseId, after }, ctx) =>
      ctx.services.collab.followCourse(requireViewer(ctx), String(courseId), parseSeqCursor(after), ctx.signal),
    resolve: (e) => e,
  }),
}));
