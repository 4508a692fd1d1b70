// GraphQL shapes of the chat API, as the web app receives them.

export type RoomKind = 'COURSE' | 'GROUP' | 'DIRECT' | 'LIVE' | 'TUTOR';
export type MessageKind = 'TEXT' | 'CODE' | 'SYSTEM';
export type DeletedBy = 'AUTHOR' | 'MODERATOR';

export interface ChatUser {
  id: string;
  name: string;
  picture: string | null;
  /** The AI tutor, not a person. */
  bot?: boolean;
}

export interface Reaction {
  emoji: string;
  count: number;
  userIds: string[];
}

export interface MessageRef {
  id: string;
  authorName: string | null;
  excerpt: string;
  deleted: boolean;
}

export interface ChatMessage {
  id: string;
  roomId: string;
  /** Decimal integer as a string; it is the cursor. */
  seq: string;
  kind: MessageKind;
  author: ChatUser | null;
  body: string;
  language: string | null;
  replyTo: MessageRef | null;
  mentions: ChatUser[];
  reactions: Reaction[];
  createdAt: string;
  editedAt: string | null;
  deleted: boolean;
  deletedBy: DeletedBy | null;
  clientId: string | null;
}

export type RoomEventType =
  | 'MESSAGE_ADDED'
  | 'MESSAGE_EDITED'
  | 'MESSAGE_DELETED'
  | 'REACTIONS_CHANGED'
  | 'ROOM_UPDATED'
  | 'MEMBERS_CHANGED'
  | 'TYPING'
  | 'READ'
  | 'TUTOR';

export interface RoomEvent {
  cursor: string | null;
  type: RoomEventType;
  message: ChatMessage | null;
  userId: string | null;
  userName: string | null;
  typing: boolean | null;
  readSeq: string | null;
  expiresAt: string | null;
  tutor?: TutorSignal | null;
}

export type TutorReplyState = 'QUEUED' | 'THINKING' | 'STREAMING' | 'DONE' | 'FAILED' | 'CANCELLED' | 'REFUSED';

/** The AI tutor's reply while it is produced (TUTOR room events). */
export interface TutorSignal {
  requestId: string;
  questionId: string;
  state: TutorReplyState;
  text: string;
}
