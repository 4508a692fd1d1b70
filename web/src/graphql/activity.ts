import { graphql } from '../gql';
import type { ActivityEntryFieldsFragment, AuditEntryFieldsFragment, CourseActivityFeedSubscription } from '../gql/graphql';

/** One entry of the course's activity feed (staff). */
export type ActivityItem = ActivityEntryFieldsFragment;
/** One change in the audit log. */
export type AuditItem = AuditEntryFieldsFragment;
export type ActivityFeedEvent = CourseActivityFeedSubscription['courseActivityFeed'];

graphql(`
  fragment ActivityEntryFields on CourseActivityEntry {
    id
    type
    actorId
    actorName
    data
    createdAt
  }
`);

graphql(`
  fragment AuditEntryFields on AuditEntry {
    id
    entity
    entityId
    subjectName
    action
    actorId
    actorName
    apiKeyId
    before
    after
    createdAt
  }
`);

/** A page of the course's activity, newest first, with the cursor courseActivityFeed follows it from. */
export const COURSE_ACTIVITY_QUERY = graphql(`
  query CourseActivity($courseId: ID!, $first: Int, $after: String) {
    courseActivityEntries(courseId: $courseId, first: $first, after: $after) {
      cursor
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...ActivityEntryFields
        }
      }
    }
  }
`);

/** The course's activity as it happens, from a cursor. */
export const COURSE_ACTIVITY_FEED = graphql(`
  subscription CourseActivityFeed($courseId: ID!, $after: String) {
    courseActivityFeed(courseId: $courseId, after: $after) {
      cursor
      entry {
        ...ActivityEntryFields
      }
    }
  }
`);

/** A page of the course's audit log, newest first, optionally of one kind of entity. */
export const AUDIT_LOG_QUERY = graphql(`
  query AuditLog($courseId: ID!, $entity: String, $first: Int, $after: String) {
    auditLog(courseId: $courseId, entity: $entity, first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...AuditEntryFields
        }
      }
    }
  }
`);

/** The same log as CSV, for the download. */
export const AUDIT_LOG_CSV_QUERY = graphql(`
  query AuditLogCsv($courseId: ID!, $entity: String) {
    auditLogCsv(courseId: $courseId, entity: $entity)
  }
`);
