/** Notifications: the header's count and center, and the live feed of the viewer's own stream. */
import { gql, type TypedDocumentNode } from '@apollo/client';
import type { PageInfo } from './types';

export interface AppNotification {
  id: string;
  type: string;
  courseId: string | null;
  courseTitle: string | null;
  actorName: string | null;
  roomId: string | null;
  messageId: string | null;
  excerpt: string;
  read: boolean;
  createdAt: string;
}

const FIELDS = gql`
  fragment NotificationFields on Notification {
    id
    type
    courseId
    courseTitle
    actorName
    roomId
    messageId
    excerpt
    read
    createdAt
  }
`;

export interface NotificationsQuery {
  unreadNotificationCount: number;
  notifications: { edges: { cursor: string; node: AppNotification }[]; pageInfo: PageInfo };
}
export const NOTIFICATIONS_QUERY: TypedDocumentNode<NotificationsQuery, { first?: number; after?: string | null }> = gql`
  ${FIELDS}
  query Notifications($first: Int, $after: String) {
    unreadNotificationCount
    notifications(first: $first, after: $after) {
      edges {
        cursor
        node {
          ...NotificationFields
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

export interface NotificationEvent {
  cursor: string;
  type: 'CREATED' | 'READ';
  notification: AppNotification | null;
  readIds: string[];
  allRead: boolean;
  unreadCount: number;
}
export const NOTIFICATION_EVENTS: TypedDocumentNode<{ notificationEvents: NotificationEvent }, { after?: string | null }> = gql`
  ${FIELDS}
  subscription NotificationEvents($after: String) {
    notificationEvents(after: $after) {
      cursor
      type
      notification {
        ...NotificationFields
      }
      readIds
      allRead
      unreadCount
    }
  }
`;

export const MARK_NOTIFICATION_READ: TypedDocumentNode<{ markNotificationRead: number }, { id: string }> = gql`
  mutation MarkNotificationRead($id: ID!) {
    markNotificationRead(id: $id)
  }
`;

export const MARK_ALL_NOTIFICATIONS_READ: TypedDocumentNode<{ markAllNotificationsRead: number }, Record<string, never>> = gql`
  mutation MarkAllNotificationsRead {
    markAllNotificationsRead
  }
`;
