import { gql, type TypedDocumentNode } from '@apollo/client';
import type { CourseRole, ViewerKind } from './types';

export interface MeQuery {
  me: {
    __typename?: 'Viewer';
    kind: ViewerKind;
    user: { __typename?: 'User'; id: string; name: string } | null;
    tenant: { __typename?: 'Tenant'; id: string; name: string };
    course: { __typename?: 'Course'; id: string; title: string; label: string | null } | null;
    roles: CourseRole[];
  };
}

/** Who is signed in, for which tenant and course, with which roles. Read by the shell and Home. */
export const ME_QUERY: TypedDocumentNode<MeQuery, Record<string, never>> = gql`
  query Me {
    me {
      kind
      user {
        id
        name
      }
      tenant {
        id
        name
      }
      course {
        id
        title
        label
      }
      roles
    }
  }
`;
