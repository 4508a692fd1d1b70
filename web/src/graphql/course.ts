import { graphql } from '../gql';
import type { CourseQuery, RosterSyncFieldsFragment } from '../gql/graphql';

export type { CourseMembersQueryVariables } from '../gql/graphql';

/** A course as the course page shows it (the `Course` query's result when there is one). */
export type CourseDetails = NonNullable<CourseQuery['course']>;
/** A roster sync from the LMS, as the members card shows its progress (the `RosterSyncFields` fragment). */
export type RosterSync = RosterSyncFieldsFragment;

/** The course page's header: title, label and the viewer's roles (null when there is no such course for the viewer). */
export const COURSE_QUERY = graphql(`
  query Course($id: ID!) {
    course(id: $id) {
      id
      title
      label
      myRoles
    }
  }
`);

/** Course members, a page at a time (staff only; pages are merged by the cache). */
export const COURSE_MEMBERS_QUERY = graphql(`
  query CourseMembers($id: ID!, $first: Int, $after: String) {
    course(id: $id) {
      id
      members(first: $first, after: $after) {
        edges {
          cursor
          node {
            user {
              id
              name
            }
            roles
            launched
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

// A fragment the operations below spread by name (codegen reads it from this call).
graphql(`
  fragment RosterSyncFields on RosterSync {
    status
    fetched
    pages
    startedAt
    finishedAt
    error
  }
`);

/** The course's last roster sync from the LMS (staff only; null when never synced). Polled while one runs. */
export const ROSTER_SYNC_QUERY = graphql(`
  query RosterSync($id: ID!) {
    course(id: $id) {
      id
      rosterSync {
        ...RosterSyncFields
      }
    }
  }
`);

/** Starts a roster sync (Names and Role Provisioning) for the course. */
export const SYNC_ROSTER_MUTATION = graphql(`
  mutation SyncRoster($courseId: ID!) {
    syncRoster(courseId: $courseId) {
      ...RosterSyncFields
    }
  }
`);
