/** Chat operations: rooms, history, sending, live room events, the room list feed, presence, search. */
import { gql, type TypedDocumentNode } from '@apollo/client';
import type { ChatMessage, RoomEvent, RoomKind } from '../chat/types';
import type { CourseRole, PageInfo } from './types';

export type PresenceState = 'ONLINE' | 'AWAY' | 'OFFLINE';
export type PostRefusal = 'ARCHIVED' | 'MUTED' | 'READ_ONLY';

export interface ChatRoom {
  id: string;
  courseId: string;
  kind: RoomKind;
  name: string;
  topic: string | null;
  peer: { id: string; name: string; picture: string | null } | null;
  archived: boolean;
  lastMessageAt: string | null;
  lastSeq: string;
  lastReadSeq: string | null;
  unreadCount: number;
  muted: boolean;
  canPost: boolean;
  postRefusal: PostRefusal | null;
  canModerate: boolean;
}

export const ROOM_FIELDS = gql`
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
  }
`;

export const MESSAGE_FIELDS = gql`
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
`;

export interface ChatRoomsQuery {
  course: { id: string; rooms: ChatRoom[]; presence: { userId: string; state: PresenceState; version: number }[] } | null;
}
export const CHAT_ROOMS_QUERY: TypedDocumentNode<ChatRoomsQuery, { courseId: string }> = gql`
  ${ROOM_FIELDS}
  query ChatRooms($courseId: ID!) {
    course(id: $courseId) {
      id
      rooms {
        ...ChatRoomFields
      }
      presence {
        userId
        state
        version
      }
    }
  }
`;

export interface MessagesPage {
  edges: { cursor: string; node: ChatMessage }[];
  pageInfo: PageInfo;
}
export interface RoomMessagesQuery {
  room: ChatRoom & { messages: MessagesPage };
}
export interface RoomMessagesVariables {
  roomId: string;
  last?: number | null;
  before?: string | null;
  first?: number | null;
  after?: string | null;
  around?: string | null;
}
export const ROOM_MESSAGES_QUERY: TypedDocumentNode<RoomMessagesQuery, RoomMessagesVariables> = gql`
  ${ROOM_FIELDS}
  ${MESSAGE_FIELDS}
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
`;

export interface RoomMember {
  user: { id: string; name: string; picture: string | null };
  courseRoles: CourseRole[];
  role: 'OWNER' | 'MEMBER';
  muted: boolean;
  lastReadSeq: string | null;
}
export interface RoomMembersQuery {
  room: { id: string; members: { edges: { cursor: string; node: RoomMember }[]; pageInfo: PageInfo } };
}
export const ROOM_MEMBERS_QUERY: TypedDocumentNode<RoomMembersQuery, { roomId: string; first?: number; after?: string | null }> = gql`
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
`;

export interface SendMessageInput {
  roomId: string;
  clientId: string;
  body: string;
  kind?: 'TEXT' | 'CODE';
  language?: string | null;
  replyToId?: string | null;
  mentionIds?: string[];
}
export const SEND_MESSAGE: TypedDocumentNode<{ sendMessage: ChatMessage }, { input: SendMessageInput }> = gql`
  ${MESSAGE_FIELDS}
  mutation SendMessage($input: SendMessageInput!) {
    sendMessage(input: $input) {
      ...ChatMessageFields
    }
  }
`;

export const EDIT_MESSAGE: TypedDocumentNode<{ editMessage: ChatMessage }, { id: string; body: string; language?: string | null }> = gql`
  ${MESSAGE_FIELDS}
  mutation EditMessage($id: ID!, $body: String!, $language: String) {
    editMessage(id: $id, body: $body, language: $language) {
      ...ChatMessageFields
    }
  }
`;

export const DELETE_MESSAGE: TypedDocumentNode<{ deleteMessage: ChatMessage }, { id: string }> = gql`
  ${MESSAGE_FIELDS}
  mutation DeleteMessage($id: ID!) {
    deleteMessage(id: $id) {
      ...ChatMessageFields
    }
  }
`;

export const SET_REACTION: TypedDocumentNode<{ setReaction: ChatMessage }, { messageId: string; emoji: string; on: boolean }> = gql`
  ${MESSAGE_FIELDS}
  mutation SetReaction($messageId: ID!, $emoji: String!, $on: Boolean!) {
    setReaction(messageId: $messageId, emoji: $emoji, on: $on) {
      ...ChatMessageFields
    }
  }
`;

export const MARK_ROOM_READ: TypedDocumentNode<{ markRoomRead: string }, { roomId: string; seq: string }> = gql`
  mutation MarkRoomRead($roomId: ID!, $seq: String!) {
    markRoomRead(roomId: $roomId, seq: $seq)
  }
`;

export const SET_TYPING: TypedDocumentNode<{ setTyping: boolean }, { roomId: string; typing: boolean }> = gql`
  mutation SetTyping($roomId: ID!, $typing: Boolean!) {
    setTyping(roomId: $roomId, typing: $typing)
  }
`;

export const OPEN_DIRECT_ROOM: TypedDocumentNode<{ openDirectRoom: ChatRoom }, { courseId: string; userId: string }> = gql`
  ${ROOM_FIELDS}
  mutation OpenDirectRoom($courseId: ID!, $userId: ID!) {
    openDirectRoom(courseId: $courseId, userId: $userId) {
      ...ChatRoomFields
    }
  }
`;

export const CREATE_GROUP_ROOM: TypedDocumentNode<{ createGroupRoom: ChatRoom }, { courseId: string; name: string; topic?: string | null; memberIds: string[] }> = gql`
  ${ROOM_FIELDS}
  mutation CreateGroupRoom($courseId: ID!, $name: String!, $topic: String, $memberIds: [ID!]) {
    createGroupRoom(courseId: $courseId, name: $name, topic: $topic, memberIds: $memberIds) {
      ...ChatRoomFields
    }
  }
`;

export const SET_MEMBER_MUTED: TypedDocumentNode<{ setRoomMemberMuted: boolean }, { roomId: string; userId: string; muted: boolean }> = gql`
  mutation SetRoomMemberMuted($roomId: ID!, $userId: ID!, $muted: Boolean!) {
    setRoomMemberMuted(roomId: $roomId, userId: $userId, muted: $muted)
  }
`;

export interface SearchHit {
  message: ChatMessage;
  roomId: string;
  roomName: string;
  roomKind: RoomKind;
  snippet: string;
}
export interface SearchMessagesQuery {
  searchMessages: { edges: { cursor: string; node: SearchHit }[]; pageInfo: PageInfo };
}
export const SEARCH_MESSAGES: TypedDocumentNode<SearchMessagesQuery, { courseId: string; query: string; first?: number; after?: string | null }> = gql`
  ${MESSAGE_FIELDS}
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
`;

export const ROOM_EVENTS: TypedDocumentNode<{ roomEvents: RoomEvent }, { roomId: string; after?: string | null }> = gql`
  ${MESSAGE_FIELDS}
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
`;

export interface ChatActivity {
  type: 'MESSAGE' | 'READ' | 'ROOMS_CHANGED' | 'ROOM_UPDATED';
  roomId: string;
  message: { id: string; seq: string; kind: ChatMessage['kind']; author: { id: string } | null; createdAt: string } | null;
  readSeq: string | null;
}
export const CHAT_ACTIVITY: TypedDocumentNode<{ chatActivity: ChatActivity }, { courseId: string }> = gql`
  subscription ChatActivity($courseId: ID!) {
    chatActivity(courseId: $courseId) {
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
    }
  }
`;

export const PRESENCE: TypedDocumentNode<{ presence: { userId: string; state: PresenceState; version: number } }, { courseId: string; tabId: string }> = gql`
  subscription Presence($courseId: ID!, $tabId: String) {
    presence(courseId: $courseId, tabId: $tabId) {
      userId
      state
      version
    }
  }
`;

export const SET_PRESENCE: TypedDocumentNode<{ setPresence: PresenceState }, { courseId: string; tabId: string; state: PresenceState }> = gql`
  mutation SetPresence($courseId: ID!, $tabId: String!, $state: PresenceState!) {
    setPresence(courseId: $courseId, tabId: $tabId, state: $state)
  }
`;

export const UPDATE_ROOM: TypedDocumentNode<{ updateRoom: ChatRoom }, { id: string; name?: string | null; topic?: string | null; archived?: boolean | null }> = gql`
  ${ROOM_FIELDS}
  mutation UpdateRoom($id: ID!, $name: String, $topic: String, $archived: Boolean) {
    updateRoom(id: $id, name: $name, topic: $topic, archived: $archived) {
      ...ChatRoomFields
    }
  }
`;

export const ADD_ROOM_MEMBERS: TypedDocumentNode<{ addRoomMembers: ChatRoom }, { roomId: string; userIds: string[] }> = gql`
  ${ROOM_FIELDS}
  mutation AddRoomMembers($roomId: ID!, $userIds: [ID!]!) {
    addRoomMembers(roomId: $roomId, userIds: $userIds) {
      ...ChatRoomFields
    }
  }
`;

export const REMOVE_ROOM_MEMBER: TypedDocumentNode<{ removeRoomMember: boolean }, { roomId: string; userId: string }> = gql`
  mutation RemoveRoomMember($roomId: ID!, $userId: ID!) {
    removeRoomMember(roomId: $roomId, userId: $userId)
  }
`;
