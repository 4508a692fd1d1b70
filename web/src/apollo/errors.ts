import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';

/** `extensions.code` the API uses when the request carries no valid session. */
const UNAUTHENTICATED = 'UNAUTHENTICATED';

/** True when the API says the session is missing or no longer valid. */
export function isUnauthenticated(error: unknown): boolean {
  if (CombinedGraphQLErrors.is(error)) {
    return error.errors.some((e) => e.extensions?.['code'] === UNAUTHENTICATED);
  }
  return ServerError.is(error) && error.statusCode === 401;
}

/** A message fit for the user. The API masks unexpected errors, so GraphQL messages are safe to show. */
export function userMessage(error: unknown): string {
  if (CombinedGraphQLErrors.is(error)) {
    return error.errors[0]?.message ?? 'The server could not complete the request.';
  }
  if (ServerError.is(error)) {
    return error.statusCode >= 500
      ? 'The server is having trouble right now. Please try again in a moment.'
      : 'The server could not complete the request.';
  }
  return 'Could not reach the server. Check your connection and try again.';
}
