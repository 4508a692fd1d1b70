import type { ApolloClient } from '@apollo/client';
import { inject, type InjectionKey } from 'vue';

export const apolloClientKey: InjectionKey<ApolloClient> = Symbol('apollo-client');

export function useApolloClient(): ApolloClient {
  const client = inject(apolloClientKey);
  if (!client) throw new Error('Apollo Client is not provided; call app.provide(apolloClientKey, client).');
  return client;
}
