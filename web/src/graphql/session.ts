import { graphql } from '../gql';

/** A new session token for the same user and course (renewal/renewer.ts runs it before the current one expires). */
export const REFRESH_SESSION = graphql(`
  mutation RefreshSession {
    refreshSession {
      token
      expiresAt
    }
  }
`);
