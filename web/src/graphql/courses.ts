import { gql, type TypedDocumentNode } from '@apollo/client';
import type { CourseRole, PageInfo } from './types';

export interface CourseListItem {
  __typename?: 'Course';
  id: string;
  title: string;
  label: string | null;
  myRoles: CourseRole[];
}

export interface CoursesQuery {
  courses: {
    __typename?: 'CourseConnection';
    edges: { __typename?: 'CourseEdge'; cursor: string; node: CourseListItem }[];
    pageInfo: PageInfo & { __typename?: 'PageInfo' };
  };
}

export interface CoursesQueryVariables {
  first?: number | null;
  after?: string | null;
}

/** The viewer's courses, a page at a time (Relay connection; pages are merged by the cache). */
export const COURSES_QUERY: TypedDocumentNode<CoursesQuery, CoursesQueryVariables> = gql`
  query Courses($first: Int, $after: String) {
    courses(first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          title
          label
          myRoles
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
