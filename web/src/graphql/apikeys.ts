import { graphql } from '../gql';
import type { ApiKeyFieldsFragment } from '../gql/graphql';

/** An API key as the console lists it (never its secret, which only creation returns). */
export type ApiKeyItem = ApiKeyFieldsFragment;

// A fragment the operations below spread by name (codegen reads it from this call).
graphql(`
  fragment ApiKeyFields on ApiKey {
    id
    name
    prefix
    scopes
    tenantWide
    courseIds
    createdBy {
      id
      name
    }
    createdAt
    lastUsedAt
    expiresAt
    revokedAt
  }
`);

/** The keys the viewer manages: staff their own, LMS administrators every key of the platform. Newest first. */
export const API_KEYS_QUERY = graphql(`
  query ApiKeys {
    apiKeys {
      ...ApiKeyFields
    }
  }
`);

/** Creates a key; the secret comes back this once. */
export const CREATE_API_KEY = graphql(`
  mutation CreateApiKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      secret
      apiKey {
        ...ApiKeyFields
      }
    }
  }
`);

/** Revokes a key: it is refused from then on, and its open subscriptions end at once. */
export const REVOKE_API_KEY = graphql(`
  mutation RevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) {
      ...ApiKeyFields
    }
  }
`);
