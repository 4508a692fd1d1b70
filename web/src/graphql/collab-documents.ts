/**
 * Collab documents: one document's state and rights (loaded with its cursor), its event feed (Yjs updates and
 * awareness signals, followed from that cursor), the updates and awareness a client sends, reset, and named versions.
 * The sessions around them (list, join, lock, fork, grid) are in graphql/collab.ts.
 */
import { graphql } from '../gql';

/** A document as the editor and the grid's tiles load it: the full Yjs state, the position it reflects, the rights. */
export const COLLAB_DOCUMENT_QUERY = graphql(`
  query CollabDocument($id: ID!) {
    collabDocument(id: $id) {
      id
      sessionId
      ownerId
      ownerName
      state
      cursor
      textLength
      editedAt
      language
      locked
      viewerCanEdit
      viewerCanManage
    }
  }
`);

export const APPLY_COLLAB_UPDATE = graphql(`
  mutation ApplyCollabUpdate($documentId: ID!, $update: String!, $clientTag: String) {
    applyCollabUpdate(documentId: $documentId, update: $update, clientTag: $clientTag) {
      stored
      cursor
    }
  }
`);

export const SEND_COLLAB_AWARENESS = graphql(`
  mutation SendCollabAwareness($documentId: ID!, $update: String!) {
    sendCollabAwareness(documentId: $documentId, update: $update)
  }
`);

/** Updates stored after `after`, then live, with the awareness signals of the people in the document. */
export const COLLAB_DOCUMENT_EVENTS = graphql(`
  subscription CollabDocumentEvents($documentId: ID!, $after: String) {
    collabDocumentEvents(documentId: $documentId, after: $after) {
      __typename
      ... on CollabUpdateEvent {
        cursor
        update
        userId
        kind
        clientTag
      }
      ... on CollabAwarenessEvent {
        userId
        name
        color
        update
      }
    }
  }
`);

export const RESET_COLLAB_DOCUMENT = graphql(`
  mutation ResetCollabDocument($documentId: ID!) {
    resetCollabDocument(documentId: $documentId) {
      stored
      cursor
    }
  }
`);

graphql(`
  fragment CollabVersionFields on CollabVersion {
    id
    documentId
    name
    createdAt
    createdByName
  }
`);

export const COLLAB_VERSIONS_QUERY = graphql(`
  query CollabVersions($documentId: ID!) {
    collabVersions(documentId: $documentId) {
      ...CollabVersionFields
    }
  }
`);

export const SAVE_COLLAB_VERSION = graphql(`
  mutation SaveCollabVersion($documentId: ID!, $name: String!) {
    saveCollabVersion(documentId: $documentId, name: $name) {
      ...CollabVersionFields
    }
  }
`);

export const RESTORE_COLLAB_VERSION = graphql(`
  mutation RestoreCollabVersion($versionId: ID!) {
    restoreCollabVersion(versionId: $versionId) {
      stored
      cursor
    }
  }
`);
