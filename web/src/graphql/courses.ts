import { graphql } from '../gql';
import type { CoursesQuery } from '../gql/graphql';

/** A course in the viewer's course list. */
export type CourseListItem = CoursesQuery['courses']['edges'][number]['node'];

/** The viewer's courses, a page at a time (Relay connection; pages are merged by the cache). */
export const COURSES_QUERY = graphql(`
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
`);
