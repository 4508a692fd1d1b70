/**
 * The moments a page waiting out its reconnect backoff retries at once instead: the person comes back to it (the
 * window regains focus, the tab is shown again). A backoff that grew while nobody looked (a laptop lid closed, a
 * server restart during another tab) must not keep them on "Reconnecting…" once they look. The browser's `online`
 * event wakes the socket in main.ts, with the status it changes.
 */
import { canRetryNow, type ConnectionStatus } from './status';

export interface RetryTriggerTargets {
  window: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;
  document: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> & { readonly visibilityState: string };
}

/** Calls `retry` on focus and when the page becomes visible, while the status says a retry makes sense. Returns the unsubscribe. */
export function retryOnReturn(targets: RetryTriggerTargets, status: () => ConnectionStatus, retry: () => void): () => void {
  const onFocus = () => {
    if (canRetryNow(status())) retry();
  };
  const onVisibility = () => {
    if (targets.document.visibilityState === 'visible') onFocus();
  };
  targets.window.addEventListener('focus', onFocus);
  targets.document.addEventListener('visibilitychange', onVisibility);
  return () => {
    targets.window.removeEventListener('focus', onFocus);
    targets.document.removeEventListener('visibilitychange', onVisibility);
  };
}
