/**
 * Collab sessions (the Collab tab, followed live), creating and editing one, joining it, the instructor's tools
 * (lock, fork per student), the LMS activity a launch hands out, the class grid (every learner's copy, followed
 * live) and the replay of a copy. A document's own operations (load, updates, awareness, versions) are in
 * collab-documents.ts.
 */
import { graphql } from '../gql';
import type { CollabCopyFieldsFragment, CollabSessionFieldsFragment } from '../gql/graphql';

export type { CollabLanguage, CollabMode, CollabVisibility } from '../gql/graphql';
/** A session as the tab lists it and the dialog edits it. */
export type CollabSessionSummary = CollabSessionFieldsFragment;
/** A learner's copy as the class grid shows it. */
export type CollabCopySummary = CollabCopyFieldsFragment;

// Fragments the operations below spread by name (codegen reads them from these calls).
graphql(`
  fragment CollabSessionFields on CollabSession {
    id
    courseId
    title
    description
    language
    startingCode
    visibility
    accessCode
    maxCollaborators
    collaboratorCount
    ownerId
    ownerName
    activity {
      id
      title
    }
    mode
    locked
    forkedAt
    createdAt
    updatedAt
    viewerCanManage
    viewerJoined
    sharedDocumentId
    viewerDocumentId
    cursor
  }
`);

graphql(`
  fragment CollabCopyFields on CollabCopy {
    userId
    userName
    started
    document {
      id
      ownerId
      textLength
      editedAt
      startedAt
    }
  }
`);

/** The course's sessions, newest first, and the course stream's position to follow them from. */
export const COLLAB_SESSIONS_QUERY = graphql(`
  query CollabSessions($courseId: ID!) {
    collabSessions(courseId: $courseId) {
      cursor
      sessions {
        ...CollabSessionFields
      }
    }
  }
`);

export const COURSE_COLLAB_SESSION_EVENTS = graphql(`
  subscription CourseCollabSessionEvents($courseId: ID!, $after: String) {
    courseCollabSessionEvents(courseId: $courseId, after: $after) {
      cursor
      type
      sessionId
      session {
        ...CollabSessionFields
      }
    }
  }
`);

export const COLLAB_SESSION_QUERY = graphql(`
  query CollabSession($id: ID!) {
    collabSession(id: $id) {
      ...CollabSessionFields
    }
  }
`);

/** The session a launch from an LMS activity opens (null: none handed out from it yet). */
export const COLLAB_SESSION_FOR_ACTIVITY_QUERY = graphql(`
  query CollabSessionForActivity($activityId: ID!) {
    collabSessionForActivity(activityId: $activityId) {
      ...CollabSessionFields
    }
  }
`);

/** The course's deep-linked LMS activities a session can be handed out from (staff). */
export const COLLAB_ACTIVITIES_QUERY = graphql(`
  query CollabActivities($courseId: ID!) {
    collabActivities(courseId: $courseId) {
      id
      title
    }
  }
`);

export const CREATE_COLLAB_SESSION = graphql(`
  mutation CreateCollabSession($input: CreateCollabSessionInput!) {
    createCollabSession(input: $input) {
      ...CollabSessionFields
    }
  }
`);

export const UPDATE_COLLAB_SESSION = graphql(`
  mutation UpdateCollabSession($id: ID!, $input: UpdateCollabSessionInput!) {
    updateCollabSession(id: $id, input: $input) {
      ...CollabSessionFields
    }
  }
`);

export const DELETE_COLLAB_SESSION = graphql(`
  mutation DeleteCollabSession($id: ID!) {
    deleteCollabSession(id: $id)
  }
`);

/** Joins (with the access code of a private session): the document the viewer opens. */
export const JOIN_COLLAB_SESSION = graphql(`
  mutation JoinCollabSession($id: ID!, $accessCode: String) {
    joinCollabSession(id: $id, accessCode: $accessCode) {
      id
      sessionId
      ownerId
    }
  }
`);

export const SET_COLLAB_SESSION_LOCKED = graphql(`
  mutation SetCollabSessionLocked($id: ID!, $locked: Boolean!) {
    setCollabSessionLocked(id: $id, locked: $locked) {
      ...CollabSessionFields
    }
  }
`);

export const FORK_COLLAB_SESSION = graphql(`
  mutation ForkCollabSession($id: ID!) {
    forkCollabSession(id: $id) {
      ...CollabSessionFields
    }
  }
`);

/** The class grid: every active learner of the course and their copy (if made), with the session stream's position. */
export const COLLAB_GRID_QUERY = graphql(`
  query CollabGrid($sessionId: ID!) {
    collabGrid(sessionId: $sessionId) {
      cursor
      session {
        ...CollabSessionFields
      }
      copies {
        ...CollabCopyFields
      }
    }
  }
`);

export const COLLAB_SESSION_EVENTS = graphql(`
  subscription CollabSessionEvents($sessionId: ID!, $after: String) {
    collabSessionEvents(sessionId: $sessionId, after: $after) {
      cursor
      type
      sessionId
      session {
        ...CollabSessionFields
      }
      copy {
        ...CollabCopyFields
      }
    }
  }
`);

/** One page of a document's replay: its base state and its stored updates in order after `after`. */
export const COLLAB_REPLAY_QUERY = graphql(`
  query CollabReplay($documentId: ID!, $after: String, $first: Int) {
    collabReplay(documentId: $documentId, after: $after, first: $first) {
      documentId
      base
      hasMore
      steps {
        cursor
        at
        userId
        userName
        kind
        update
      }
    }
  }
`);

/** What the replay page shows above the slider: whose copy, in which language. */
export const COLLAB_REPLAY_DOCUMENT_QUERY = graphql(`
  query CollabReplayDocument($id: ID!) {
    collabDocument(id: $id) {
      id
      sessionId
      ownerId
      ownerName
      language
      textLength
    }
  }
`);
