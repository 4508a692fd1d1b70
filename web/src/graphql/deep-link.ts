import { gql, type TypedDocumentNode } from '@apollo/client';
import type { CourseDetails } from './course';
import type { CourseSection } from './types';

export interface DeepLinkRequest {
  __typename?: 'DeepLinkRequest';
  id: string;
  course: CourseDetails;
  /** The LMS takes several items at once (checkboxes) rather than one (radio buttons). */
  acceptMultiple: boolean;
  /** A title the LMS suggests, if any. */
  title: string | null;
  expiresAt: string;
}

export interface DeepLinkRequestQuery {
  deepLinkRequest: DeepLinkRequest | null;
}

export interface DeepLinkRequestQueryVariables {
  id: string;
}

/** A pending deep-linking request: the LMS asks which activity to add to the course. */
export const DEEP_LINK_REQUEST_QUERY: TypedDocumentNode<DeepLinkRequestQuery, DeepLinkRequestQueryVariables> = gql`
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
`;

export interface DeepLinkItemInput {
  section: CourseSection;
  title: string;
  graded?: boolean | null;
  scoreMaximum?: number | null;
}

export interface SubmitDeepLinkMutation {
  submitDeepLink: { __typename?: 'DeepLinkResponse'; returnUrl: string; jwt: string };
}

export interface SubmitDeepLinkMutationVariables {
  requestId: string;
  items: DeepLinkItemInput[];
}

/** The chosen items, signed for the LMS: POST `jwt` as `JWT` to `returnUrl`. */
export const SUBMIT_DEEP_LINK_MUTATION: TypedDocumentNode<SubmitDeepLinkMutation, SubmitDeepLinkMutationVariables> = gql`
  mutation SubmitDeepLink($requestId: ID!, $items: [DeepLinkItemInput!]!) {
    submitDeepLink(requestId: $requestId, items: $items) {
      returnUrl
      jwt
    }
  }
`;
