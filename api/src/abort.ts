/**
 * Runs `fn` once when `signal` aborts, or at once when it has aborted already: `addEventListener('abort')` alone
 * never fires for a signal that aborted before it was called (a socket that closed while its subscription was
 * still starting), and what it was meant to release would stay held. Returns what removes the listener.
 */
export function onAbort(signal: AbortSignal | null | undefined, fn: () => void): () => void {
  if (!signal) return () => {};
  if (signal.aborted) {
    fn();
    return () => {};
  }
  signal.addEventListener('abort', fn, { once: true });
  return () => signal.removeEventListener('abort', fn);
}
