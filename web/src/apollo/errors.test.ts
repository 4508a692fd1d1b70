import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { describe, expect, it } from 'vitest';
import { isUnauthenticated, userMessage } from './errors';

const graphQLErrors = (...errors: { message: string; extensions?: Record<string, unknown> }[]) => new CombinedGraphQLErrors({ errors });

describe('isUnauthenticated', () => {
  it('is true when any GraphQL error has extensions.code UNAUTHENTICATED', () => {
    expect(
      isUnauthenticated(
        graphQLErrors(
          { message: 'nope', extensions: { code: 'FORBIDDEN' } },
          { message: 'Session expired', extensions: { code: 'UNAUTHENTICATED' } },
        ),
      ),
    ).toBe(true);
  });
  it('is false for other GraphQL errors and other errors', () => {
    expect(isUnauthenticated(graphQLErrors({ message: 'nope', extensions: { code: 'FORBIDDEN' } }))).toBe(false);
    expect(isUnauthenticated(graphQLErrors({ message: 'no extensions' }))).toBe(false);
    expect(isUnauthenticated(new Error('UNAUTHENTICATED'))).toBe(false);
    expect(isUnauthenticated(undefined)).toBe(false);
  });
});

describe('userMessage', () => {
  it('shows the first GraphQL message', () => {
    expect(userMessage(graphQLErrors({ message: 'Course not found' }, { message: 'second' }))).toBe('Course not found');
  });
  it('explains network failures', () => {
    expect(userMessage(new TypeError('Failed to fetch'))).toMatch(/Could not reach the server/);
  });
});
