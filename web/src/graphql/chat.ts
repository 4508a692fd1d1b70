/** Chat operations: rooms, history, sending, live room events, the room list feed, presence, search. */
import { graphql } from '../gql';
import type {
  AnnouncementFieldsFragment,
  ChatActivitySubscription,
  ChatRoomFieldsFragment,
  RoomMembersQuery,
  RoomMessagesQuery,
  SearchMessagesQuery,
} from '../gql/graphql';

export type { PresenceState } from '../gql/graphql';

/** A room as the room list and the room view show it (the `ChatRoomFields` fragment). */
export type ChatRoom = ChatRoomFieldsFragment;
/** A page of a room's history. */
export type MessagesPage = RoomMessagesQuery['room']['messages'];
/** A member of a room, as the room's details list them. */
export type RoomMember = RoomMembersQuery['room']['members']['edges'][number]['node'];
/** A message found by search, with the room it is in. */
export type SearchHit = SearchMessagesQuery['searchMessages']['edges'][number]['node'];
/** An event of the course's chat activity feed (drives the room list). */
export type ChatActivity = ChatActivitySubscription['chatActivity'];
/** The announcement pinned at the top of the course room. */
export type Announcement = AnnouncementFieldsFragment;

// A fragment the operations spread by name (codegen reads it from this call).
graphql(`
  fragment ChatRoomFields on Room {
    id
    courseId
    kind
    name
    topic
    peer {
      id
      name
      picture
    }
    archived
    lastMessageAt
    lastSeq
    lastReadSeq
    unreadCount
    muted
    canPost
    postRefusal
    canModerate
    canAnnounce
    memberCount
    announcement {
      ...AnnouncementFields
    }
  }
`);

/** The message pinned at the top of the course room, as its bar shows it. */
// A fragment the operations spread by name (codegen reads it from this call).
graphql(`
  fragment AnnouncementFields on Announcement {
    pinnedAt
    pinnedBy {
      id
      name
    }
    message {
      id
      seq
      kind
      body
      language
      author {
        id
        name
      }
      mentions {
        id
        name
      }
      createdAt
      editedAt
    }
  }
`);

// A fragment the operations spread by name (codegen reads it from this call).
graphql(`
  fragment ChatMessageFields on Message {
    id
    roomId
    seq
    kind
    author {
      id
      name
      picture
      bot
    }
    body
    language
    replyTo {
      id
      authorName
      excerpt
      deleted
    }
    mentions {
      id
      name
      picture
    }
    reactions {
      emoji
      count
      userIds
    }
    createdAt
    editedAt
    deleted
    deletedBy
    clientId
  }
`);

/** The room list, with the cursor that `chatActivity` follows it from, and who is online. */
export const CHAT_ROOMS_QUERY = graphql(`
  query ChatRooms($courseId: ID!) {
    course(id: $courseId) {
      id
      rooms {
        ...ChatRoomFields
      }
      roomsCursor
      presence {
        userId
        state
        version
      }
    }
  }
`);

export const ROOM_MESSAGES_QUERY = graphql(`
  query RoomMessages($roomId: ID!, $last: Int, $before: String, $first: Int, $after: String, $around: ID) {
    room(id: $roomId) {
      ...ChatRoomFields
      messages(last: $last, before: $before, first: $first, after: $after, around: $around) {
        edges {
          cursor
          node {
            ...ChatMessageFields
          }
        }
        pageInfo {
          hasNextPage
          hasPreviousPage
          startCursor
          endCursor
        }
      }
    }
  }
`);

export const ROOM_MEMBERS_QUERY = graphql(`
  query RoomMembers($roomId: ID!, $first: Int, $after: String) {
    room(id: $roomId) {
      id
      members(first: $first, after: $after) {
        edges {
          cursor
          node {
            user {
              id
              name
              picture
            }
            courseRoles
            role
            muted
            lastReadSeq
          }
        }
        pageInfo {
          hasNextPage
          hasPreviousPage
          startCursor
          endCursor
        }
      }
    }
  }
`);

export const SEND_MESSAGE = graphql(`
  mutation SendMessage($input: SendMessageInput!) {
    sendMessage(input: $input) {
      ...ChatMessageFields
    }
  }
`);

export const EDIT_MESSAGE = graphql(`
  mutation EditMessage($id: ID!, $body: String!, $language: String) {
    editMessage(id: $id, body: $body, language: $language) {
      ...ChatMessageFields
    }
  }
`);

export const DELETE_MESSAGE = graphql(`
  mutation DeleteMessage($id: ID!) {
    deleteMessage(id: $id) {
      ...ChatMessageFields
    }
  }
`);

export const SET_REACTION = graphql(`
  mutation SetReaction($messageId: ID!, $emoji: String!, $on: Boolean!) {
    setReaction(messageId: $messageId, emoji: $emoji, on: $on) {
      ...ChatMessageFields
    }
  }
`);

export const MARK_ROOM_READ = graphql(`
  mutation MarkRoomRead($roomId: ID!, $seq: String!) {
    markRoomRead(roomId: $roomId, seq: $seq)
  }
`);

export const SET_TYPING = graphql(`
  mutation SetTyping($roomId: ID!, $typing: Boolean!) {
    setTyping(roomId: $roomId, typing: $typing)
  }
`);

export const OPEN_DIRECT_ROOM = graphql(`
  mutation OpenDirectRoom($courseId: ID!, $userId: ID!) {
    openDirectRoom(courseId: $courseId, userId: $userId) {
      ...ChatRoomFields
    }
  }
`);

export const CREATE_GROUP_ROOM = graphql(`
  mutation CreateGroupRoom($courseId: ID!, $name: String!, $topic: String, $memberIds: [ID!]) {
    createGroupRoom(courseId: $courseId, name: $name, topic: $topic, memberIds: $memberIds) {
      ...ChatRoomFields
    }
  }
`);

export const SET_MEMBER_MUTED = graphql(`
  mutation SetRoomMemberMuted($roomId: ID!, $userId: ID!, $muted: Boolean!) {
    setRoomMemberMuted(roomId: $roomId, userId: $userId, muted: $muted)
  }
`);

export const SEARCH_MESSAGES = graphql(`
  query SearchMessages($courseId: ID!, $query: String!, $first: Int, $after: String) {
    searchMessages(courseId: $courseId, query: $query, first: $first, after: $after) {
      edges {
        cursor
        node {
          roomId
          roomName
          roomKind
          snippet
          message {
            ...ChatMessageFields
          }
        }
      }
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
    }
  }
`);

export const ROOM_EVENTS = graphql(`
  subscription RoomEvents($roomId: ID!, $after: String) {
    roomEvents(roomId: $roomId, after: $after) {
      cursor
      type
      message {
        ...ChatMessageFields
      }
      userId
      userName
      typing
      readSeq
      expiresAt
      tutor {
        requestId
        questionId
        state
        text
      }
    }
  }
`);

export const CHAT_ACTIVITY = graphql(`
  subscription ChatActivity($courseId: ID!, $after: String) {
    chatActivity(courseId: $courseId, after: $after) {
      type
      roomId
      readSeq
      message {
        id
        seq
        kind
        author {
          id
        }
        createdAt
      }
      announcement {
        ...AnnouncementFields
      }
    }
  }
`);

/** Staff: makes a message of the course room its announcement (every member is notified). */
export const PIN_ANNOUNCEMENT = graphql(`
  mutation PinAnnouncement($messageId: ID!) {
    pinAnnouncement(messageId: $messageId) {
      ...ChatRoomFields
    }
  }
`);

/** Staff: takes the course room's announcement down. */
export const UNPIN_ANNOUNCEMENT = graphql(`
  mutation UnpinAnnouncement($roomId: ID!) {
    unpinAnnouncement(roomId: $roomId) {
      ...ChatRoomFields
    }
  }
`);

export const PRESENCE = graphql(`
  subscription Presence($courseId: ID!, $tabId: String, $section: String) {
    presence(courseId: $courseId, tabId: $tabId, section: $section) {
      userId
      state
      version
    }
  }
`);

export const SET_PRESENCE = graphql(`
  mutation SetPresence($courseId: ID!, $tabId: String!, $state: PresenceState!, $section: String) {
    setPresence(courseId: $courseId, tabId: $tabId, state: $state, section: $section)
  }
`);

export const UPDATE_ROOM = graphql(`
  mutation UpdateRoom($id: ID!, $name: String, $topic: String, $archived: Boolean) {
    updateRoom(id: $id, name: $name, topic: $topic, archived: $archived) {
      ...ChatRoomFields
    }
  }
`);

export const ADD_ROOM_MEMBERS = graphql(`
  mutation AddRoomMembers($roomId: ID!, $userIds: [ID!]!) {
    addRoomMembers(roomId: $roomId, userIds: $userIds) {
      ...ChatRoomFields
    }
  }
`);

export const REMOVE_ROOM_MEMBER = graphql(`
  mutation RemoveRoomMember($roomId: ID!, $userId: ID!) {
    removeRoomMember(roomId: $roomId, userId: $userId)
  }
`);
