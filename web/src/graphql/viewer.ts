import { graphql } from '../gql';

/** Who is signed in, for which tenant and course, with which roles. Read by the shell and Home. */
export const ME_QUERY = graphql(`
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
      administrator
    }
  }
`);
