/**
 * Apollo Client: queries and mutations over HTTP (`/graphql`, `Authorization: Bearer`),
 * subscriptions over the realtime WebSocket link (connection/socket.ts).
 */
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { ErrorLink } from '@apollo/client/link/error';
import { relayStylePagination } from '@apollo/client/utilities';
import { OperationTypeNode } from 'graphql';
import { isUnauthenticated } from './errors';

export interface ApolloClientOptions {
  getToken: () => string | null;
  /** Terminating link for subscriptions (the GraphQLWsLink of the realtime socket). */
  wsLink: ApolloLink;
  /** Called when the API answers UNAUTHENTICATED (session missing or expired). */
  onUnauthenticated: () => void;
  /** HTTP endpoint; same origin by default (the dev server proxies it). */
  uri?: string;
}

function createCache(): InMemoryCache {
  return new InMemoryCache({
    typePolicies: {
      Query: {
        fields: {
          // One cached list for all pages; fetchMore({ variables: { after } }) appends.
          courses: relayStylePagination(),
        },
      },
      Course: {
        fields: {
          // Same for a course's members (CourseMembers query).
          members: relayStylePagination(),
        },
      },
    },
  });
}

export function createApolloClient(options: ApolloClientOptions): ApolloClient {
  const { getToken, wsLink, onUnauthenticated, uri = '/graphql' } = options;

  const auth = new SetContextLink((previous) => {
    const token = getToken();
    if (!token) return {};
    return { headers: { ...previous['headers'], Authorization: `Bearer ${token}` } };
  });

  const http = new HttpLink({ uri });

  const errors = new ErrorLink(({ error }) => {
    if (isUnauthenticated(error)) onUnauthenticated();
  });

  const transport = ApolloLink.split(
    (operation) => operation.operationType === OperationTypeNode.SUBSCRIPTION,
    wsLink,
    ApolloLink.from([auth, http]),
  );

  return new ApolloClient({
    link: ApolloLink.from([errors, transport]),
    cache: createCache(),
  });
}
