/** Notifications: the header's count and center, and the live feed of the viewer's own stream. */
import { graphql } from '../gql';
import type { NotificationEventsSubscription, NotificationFieldsFragment } from '../gql/graphql';

/** A notification as the header's center lists it (the `NotificationFields` fragment). */
export type AppNotification = NotificationFieldsFragment;
/** An event of the viewer's notification feed (`notificationEvents`). */
export type NotificationEvent = NotificationEventsSubscription['notificationEvents'];

// A fragment the operations below spread by name (codegen reads it from this call).
graphql(`
  fragment NotificationFields on Notification {
    id
    type
    courseId
    courseTitle
    actorName
    roomId
    messageId
    excerpt
    data
    read
    createdAt
  }
`);

/** The first page and the unread count, with the cursor that `notificationEvents` follows them from. */
export const NOTIFICATIONS_QUERY = graphql(`
  query Notifications($first: Int, $after: String) {
    unreadNotificationCount
    notifications(first: $first, after: $after) {
      cursor
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
`);

export const NOTIFICATION_EVENTS = graphql(`
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
`);

export const MARK_NOTIFICATION_READ = graphql(`
  mutation MarkNotificationRead($id: ID!) {
    markNotificationRead(id: $id)
  }
`);

export const MARK_NOTIFICATIONS_READ = graphql(`
  mutation MarkNotificationsRead($ids: [ID!]!) {
    markNotificationsRead(ids: $ids)
  }
`);

/** Every notification type, with whether the viewer muted it. */
export const NOTIFICATION_PREFERENCES = graphql(`
  query NotificationPreferences {
    notificationPreferences {
      type
      label
      group
      muted
    }
  }
`);

export const SET_NOTIFICATION_MUTED = graphql(`
  mutation SetNotificationMuted($type: String!, $muted: Boolean!) {
    setNotificationMuted(type: $type, muted: $muted) {
      type
      label
      group
      muted
    }
  }
`);

export const MARK_ALL_NOTIFICATIONS_READ = graphql(`
  mutation MarkAllNotificationsRead {
    markAllNotificationsRead
  }
`);
