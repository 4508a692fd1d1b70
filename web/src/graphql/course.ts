import { gql, type TypedDocumentNode } from '@apollo/client';
import type { CourseRole, PageInfo, RosterSync } from './types';

export interface CourseDetails {
  __typename?: 'Course';
  id: string;
  title: string;
  label: string | null;
  myRoles: CourseRole[];
}

export interface CourseQuery {
  course: CourseDetails | null;
}

export interface CourseQueryVariables {
  id: string;
}

/** The course page's header: title, label and the viewer's roles (null when there is no such course for the viewer). */
export const COURSE_QUERY: TypedDocumentNode<CourseQuery, CourseQueryVariables> = gql`
  query Course($id: ID!) {
    course(id: $id) {
      id
      title
      label
      myRoles
    }
  }
`;

export interface CourseMember {
  __typename?: 'CourseMember';
  user: { __typename?: 'User'; id: string; name: string };
  roles: CourseRole[];
  /** False for someone the roster sync brought in who has not opened the tool yet. */
  launched: boolean;
}

export interface CourseMembersQuery {
  course: {
    __typename?: 'Course';
    id: string;
    members: {
      __typename?: 'CourseMemberConnection';
      edges: { __typename?: 'CourseMemberEdge'; cursor: string; node: CourseMember }[];
      pageInfo: PageInfo & { __typename?: 'PageInfo' };
    };
  } | null;
}

export interface CourseMembersQueryVariables {
  id: string;
  first?: number | null;
  after?: string | null;
}

/** Course members, a page at a time (staff only; pages are merged by the cache). */
export const COURSE_MEMBERS_QUERY: TypedDocumentNode<CourseMembersQuery, CourseMembersQueryVariables> = gql`
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
`;

const ROSTER_SYNC_FIELDS = gql`
  fragment RosterSyncFields on RosterSync {
    status
    fetched
    pages
    startedAt
    finishedAt
    error
  }
`;

export interface RosterSyncQuery {
  course: { __typename?: 'Course'; id: string; rosterSync: RosterSync | null } | null;
}

/** The course's last roster sync from the LMS (staff only; null when never synced). Polled while one runs. */
export const ROSTER_SYNC_QUERY: TypedDocumentNode<RosterSyncQuery, CourseQueryVariables> = gql`
  query RosterSync($id: ID!) {
    course(id: $id) {
      id
      rosterSync {
        ...RosterSyncFields
      }
    }
  }
  ${ROSTER_SYNC_FIELDS}
`;

export interface SyncRosterMutation {
  syncRoster: RosterSync;
}

export interface SyncRosterMutationVariables {
  courseId: string;
}

/** Starts a roster sync (Names and Role Provisioning) for the course. */
export const SYNC_ROSTER_MUTATION: TypedDocumentNode<SyncRosterMutation, SyncRosterMutationVariables> = gql`
  mutation SyncRoster($courseId: ID!) {
    syncRoster(courseId: $courseId) {
      ...RosterSyncFields
    }
  }
  ${ROSTER_SYNC_FIELDS}
`;
