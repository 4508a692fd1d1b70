/**
 * Keeps a subscription open for as long as the calling scope lives: when it ends or errors (the socket
 * dropped, the server restarted) it is opened again with backoff, with variables read anew each time, so a
 * caller resumes from its latest cursor (`after`) and misses nothing. Variables may take a while to read (a list
 * loaded again before it is followed): a failure there is retried the same way. Errors the server means for good
 * (FORBIDDEN, NOT_FOUND, a bad or expired cursor) stop it and are handed to `onFatal`.
 */
import type { OperationVariables, TypedDocumentNode } from '@apollo/client';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { onScopeDispose } from 'vue';
import { backoffDelay } from '../connection/backoff';
import { useApolloClient } from './provide';

const FATAL = new Set(['FORBIDDEN', 'NOT_FOUND', 'BAD_CURSOR', 'CURSOR_EXPIRED', 'BAD_USER_INPUT', 'UNAUTHENTICATED']);

function errorCode(error: unknown): string | null {
  if (CombinedGraphQLErrors.is(error)) return (error.errors[0]?.extensions?.['code'] as string | undefined) ?? null;
  return null;
}

export interface LiveSubscriptionOptions<TData, TVariables> {
  variables: () => TVariables | Promise<TVariables>;
  onData: (data: TData) => void;
  onFatal?: (code: string, error: unknown) => void;
  /** Called each time the subscription is (re)opened, before data flows. */
  onOpen?: (attempt: number) => void;
  /** Do not open at once: the caller calls `restart()` when it is ready (e.g. after loading history). */
  lazy?: boolean;
}

export function useLiveSubscription<TData, TVariables extends OperationVariables>(
  document: TypedDocumentNode<TData, TVariables>,
  // NoInfer: the document alone says what the variables and the data are.
  options: LiveSubscriptionOptions<NoInfer<TData>, NoInfer<TVariables>>,
): { restart: () => void; stop: () => void } {
  const client = useApolloClient();
  let sub: { unsubscribe(): void } | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  let stopped = false;
  /** Counts openings, so that variables still being read for an opening that was stopped are dropped. */
  let openings = 0;

  const again = () => {
    sub = null;
    if (stopped) return;
    timer = setTimeout(open, backoffDelay(attempt++, Math.random, { baseMs: 250, capMs: 10_000 }));
  };

  /** An opening that failed, before it subscribed (its variables could not be read) or after: for good, or retried. */
  const failed = (error: unknown) => {
    const code = errorCode(error);
    if (code && FATAL.has(code)) {
      stopped = true;
      options.onFatal?.(code, error);
    } else again();
  };

  function open(): void {
    if (stopped) return;
    options.onOpen?.(attempt);
    const opening = ++openings;
    let variables: TVariables | Promise<TVariables>;
    try {
      variables = options.variables();
    } catch (error) {
      return failed(error);
    }
    if (!(variables instanceof Promise)) return subscribeWith(variables);
    variables.then(
      (v) => opening === openings && !stopped && subscribeWith(v),
      (error: unknown) => opening === openings && !stopped && failed(error),
    );
  }

  function subscribeWith(variables: TVariables): void {
    let over = false;
    let current: { unsubscribe(): void } | null = null;
    // One end per opening, however it ends (an error result, an error, completion).
    const end = (error?: unknown) => {
      if (over) return;
      over = true;
      current?.unsubscribe();
      if (error === undefined) again();
      else failed(error);
    };
    const observable = client.subscribe({ query: document, variables } as Parameters<typeof client.subscribe>[0]);
    current = observable.subscribe({
      next: (result) => {
        if (over) return;
        if (result.error) return end(result.error);
        if (result.data) {
          attempt = 0;
          options.onData(result.data as TData);
        }
      },
      error: (error: unknown) => end(error ?? new Error('subscription failed')),
      complete: () => end(),
    });
    sub = current;
    if (over) current.unsubscribe();
  }

  const stop = () => {
    stopped = true;
    openings++;
    clearTimeout(timer);
    sub?.unsubscribe();
    sub = null;
  };
  if (!options.lazy) open();
  onScopeDispose(stop);
  return {
    stop,
    restart: () => {
      stop();
      stopped = false;
      attempt = 0;
      open();
    },
  };
}
