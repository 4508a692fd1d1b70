/**
 * Watch a query from a component: reactive `data`, `error`, `loading`, backed by the
 * Apollo cache, unsubscribed when the component (effect scope) goes away.
 */
import type { ApolloClient, ErrorLike, ObservableQuery, OperationVariables, TypedDocumentNode } from '@apollo/client';
import { onScopeDispose, ref, shallowRef, type Ref } from 'vue';
import { useApolloClient } from './provide';

export interface UseQueryResult<TData, TVariables extends OperationVariables> {
  data: Readonly<Ref<TData | undefined>>;
  error: Readonly<Ref<ErrorLike | undefined>>;
  /** True while the first result, a refetch or a fetchMore is in flight. */
  loading: Readonly<Ref<boolean>>;
  query: ObservableQuery<TData, TVariables>;
  refetch: () => Promise<unknown>;
}

export function useQuery<TData, TVariables extends OperationVariables = Record<string, never>>(
  document: TypedDocumentNode<TData, TVariables>,
  // NoInfer: the document alone says what the variables are, so a missing, extra or misspelt one is an error.
  variables?: NoInfer<TVariables>,
): UseQueryResult<TData, TVariables> {
  const client = useApolloClient();
  const data = shallowRef<TData | undefined>();
  const error = shallowRef<ErrorLike | undefined>();
  const loading = ref(true);

  // The options type is conditional on TVariables, which TypeScript cannot resolve for a generic.
  const options = { query: document, variables, notifyOnNetworkStatusChange: true };
  const query = client.watchQuery(options as ApolloClient.WatchQueryOptions<TData, TVariables>);

  const subscription = query.subscribe((result) => {
    loading.value = result.loading;
    error.value = result.error;
    // Keep the last complete data while a refetch or fetchMore is loading.
    if (result.dataState === 'complete') data.value = result.data as TData;
    else if (!result.loading) data.value = undefined;
  });
  onScopeDispose(() => subscription.unsubscribe());

  return {
    data,
    error,
    loading,
    query,
    refetch: () => query.refetch(),
  };
}
