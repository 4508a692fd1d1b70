/**
 * Helpers for the collab session tests: GraphQL operations and their selections, and an editor that holds a real Yjs
 * document and sends its edits with applyCollabUpdate (an edit is built on a copy and kept only once the server took
 * it, so that a refused edit leaves the editor as the server is).
 */
import * as Y from 'yjs';
import { gql, type TestApp } from './harness.js';
import { ok, type GqlBody } from './chat.js';

export const SESSION = `id courseId title description language startingCode visibility accessCode maxCollaborators collaboratorCount
  ownerId ownerName activity { id title } mode locked forkedAt createdAt updatedAt viewerCanManage viewerJoined sharedDocumentId
  viewerDocumentId cursor`;
export const DOCUMENT = `id sessionId ownerId ownerName state cursor text textLength startedAt locked viewerCanEdit viewerCanManage`;

export const CREATE = `mutation($input: CreateCollabSessionInput!) { createCollabSession(input: $input) { ${SESSION} } }`;
export const UPDATE = `mutation($id: ID!, $input: UpdateCollabSessionInput!) { updateCollabSession(id: $id, input: $input) { ${SESSION} } }`;
export const DELETE = `mutation($id: ID!) { deleteCollabSession(id: $id) }`;
export const JOIN = `mutation($id: ID!, $accessCode: String) { joinCollabSession(id: $id, accessCode: $accessCode) { ${DOCUMENT} } }`;
export const LOCK = `mutation($id: ID!, $locked: Boolean!) { setCollabSessionLocked(id: $id, locked: $locked) { ${SESSION} } }`;
export const FORK = `mutation($id: ID!) { forkCollabSession(id: $id) { ${SESSION} } }`;
export const ONE = `query($id: ID!) { collabSession(id: $id) { ${SESSION} } }`;
export const LIST = `query($courseId: ID!) { collabSessions(courseId: $courseId) { cursor sessions { ${SESSION} } } }`;
export const GRID = `query($sessionId: ID!) { collabGrid(sessionId: $sessionId) { cursor session { id mode }
  copies { userId userName started document { ${DOCUMENT} } } } }`;
export const FOR_ACTIVITY = `query($activityId: ID!) { collabSessionForActivity(activityId: $activityId) { id title activity { id title } } }`;
export const ACTIVITIES = `query($courseId: ID!) { collabActivities(courseId: $courseId) { id title } }`;
export const APPLY = `mutation($documentId: ID!, $update: String!) { applyCollabUpdate(documentId: $documentId, update: $update) { stored cursor } }`;
export const SESSION_EVENTS = `subscription($sessionId: ID!, $after: String) { collabSessionEvents(sessionId: $sessionId, after: $after) {
  cursor type sessionId session { id title locked mode } copy { userId userName started document { id ownerId text } } } }`;
export const COURSE_EVENTS = `subscription($courseId: ID!, $after: String) { courseCollabSessionEvents(courseId: $courseId, after: $after) {
  cursor type sessionId session { id title locked viewerCanManage accessCode } } }`;

export interface SessionOut {
  id: string;
  title: string;
  description: string;
  language: string;
  startingCode: string;
  visibility: 'COURSE' | 'CODE';
  accessCode: string | null;
  maxCollaborators: number | null;
  collaboratorCount: number;
  ownerId: string;
  ownerName: string;
  activity: { id: string; title: string | null } | null;
  mode: 'SHARED' | 'PER_STUDENT';
  locked: boolean;
  forkedAt: string | null;
  viewerCanManage: boolean;
  viewerJoined: boolean;
  sharedDocumentId: string;
  viewerDocumentId: string | null;
  cursor: string;
}

export interface DocumentOut {
  id: string;
  sessionId: string;
  ownerId: string | null;
  ownerName: string | null;
  state: string;
  cursor: string;
  text: string;
  startedAt: string | null;
  locked: boolean;
  viewerCanEdit: boolean;
  viewerCanManage: boolean;
}

export interface SessionEventOut {
  cursor: string;
  type: string;
  sessionId: string;
  session: { id: string; title: string; locked: boolean; mode: string } | null;
  copy: { userId: string; userName: string; started: boolean; document: { id: string; ownerId: string; text: string } | null } | null;
}

export interface CourseEventOut {
  cursor: string;
  type: string;
  sessionId: string;
  session: { id: string; title: string; locked: boolean; viewerCanManage: boolean; accessCode: string | null } | null;
}

export const sessionInput = (courseId: string, extra: Record<string, unknown> = {}) => ({
  courseId,
  title: 'Pair programming: FizzBuzz',
  language: 'PYTHON',
  startingCode: 'def fizzbuzz(n):\n    pass\n',
  ...extra,
});

/** createCollabSession that must succeed. */
export async function createSession(
  app: TestApp,
  token: string,
  courseId: string,
  extra: Record<string, unknown> = {},
): Promise<SessionOut> {
  return ok(await gql(app.url, CREATE, { input: sessionInput(courseId, extra) }, token)).createCollabSession as SessionOut;
}

/** joinCollabSession that must succeed: the document to open. */
export async function joinSession(app: TestApp, token: string, id: string, accessCode?: string): Promise<DocumentOut> {
  return ok(await gql(app.url, JOIN, { id, accessCode }, token)).joinCollabSession as DocumentOut;
}

/** The error of a response: its code and extensions. */
export const errorOf = (body: GqlBody) => body.errors?.[0]?.extensions ?? null;

/** One person editing one document through the API, with a real Y.Doc. */
export class Editor {
  readonly doc = new Y.Doc();

  constructor(
    private readonly app: TestApp,
    private readonly token: string,
    readonly documentId: string,
    state: string,
  ) {
    Y.applyUpdate(this.doc, Buffer.from(state, 'base64'));
  }

  get text(): string {
    return this.doc.getText('code').toString();
  }

  /** Inserts `text` at `index` (the end by default) and sends the update; the edit is kept only if the server took it. */
  async insert(text: string, index?: number): Promise<{ body: GqlBody }> {
    const draft = new Y.Doc();
    Y.applyUpdate(draft, Y.encodeStateAsUpdate(this.doc));
    const before = Y.encodeStateVector(draft);
    const t = draft.getText('code');
    t.insert(index ?? t.length, text);
    const update = Y.encodeStateAsUpdate(draft, before);
    const r = await gql(this.app.url, APPLY, { documentId: this.documentId, update: Buffer.from(update).toString('base64') }, this.token);
    if (!r.body.errors) Y.applyUpdate(this.doc, update);
    draft.destroy();
    return r;
  }
}
