import { graphql } from '../gql';

export type { DeepLinkItemInput } from '../gql/graphql';

/** A pending deep-linking request: the LMS asks which activity to add to the course. */
export const DEEP_LINK_REQUEST_QUERY = graphql(`
  query DeepLinkRequest($id: ID!) {
    deepLinkRequest(id: $id) {
      id
      acceptMultiple
      title
      expiresAt
      course {
        id
        title
        label
        myRoles
      }
    }
  }
`);

/** The chosen items, signed for the LMS: POST `jwt` as `JWT` to `returnUrl`. */
export const SUBMIT_DEEP_LINK_MUTATION = graphql(`
  mutation SubmitDeepLink($requestId: ID!, $items: [DeepLinkItemInput!]!) {
    submitDeepLink(requestId: $requestId, items: $items) {
      returnUrl
      jwt
    }
  }
`);
