/**
 * A subscription over HTTP (SSE) ends when the session token that opened it expires, as a WebSocket is closed with
 * 4401 at its token's expiry (ws.ts). Its last event is an error with UNAUTHENTICATED, so the client knows to renew
 * and open it again from its cursor. An API key's stream ends the same way the moment the key is revoked (on any
 * instance: Access hears the revocation), as its WebSocket closes with 4401 then, not at the stream's next event.
 */
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { httpRequestOf, type Context } from './context.js';
import { AppError } from '../errors.js';

/** The source until `at` (ms since the epoch); then one `last` result and the end, the source returned. */
export function untilTime<T>(source: AsyncIterable<T>, at: number, last: () => T): AsyncIterableIterator<T> {
  return untilStopped(
    source,
    (stop) => {
      const timer = setTimeout(stop, Math.max(0, at - Date.now()));
      timer.unref?.();
      return () => clearTimeout(timer);
    },
    last,
  );
}

/**
 * The source until `arm`'s trigger fires (`arm` is handed the trigger and returns its disarm); then one `last` result
 * and the end, the source returned.
 */
function untilStopped<T, W = void>(
  source: AsyncIterable<T>,
  arm: (stop: (why: W) => void) => () => void,
  last: (why: W) => T,
): AsyncIterableIterator<T> {
  const it = source[Symbol.asyncIterator]();
  let expired: { why: W } | null = null;
  let finished = false;
  let onExpire: (() => void) | null = null;
  const disarm = arm((why) => {
    expired = { why };
    onExpire?.();
  });
  const finish = () => {
    finished = true;
    disarm();
  };
  const wrapped: AsyncIterableIterator<T> = {
    [Symbol.asyncIterator]: () => wrapped,
    async next() {
      if (finished) return { done: true, value: undefined };
      const expiry = new Promise<'expired'>((resolve) => {
        onExpire = () => resolve('expired');
        if (expired) resolve('expired');
      });
      const r = await Promise.race([it.next(), expiry]);
      onExpire = null;
      if (r === 'expired') {
        finish();
        void it.return?.().catch(() => {});
        return { done: false, value: last(expired!.why) };
      }
      if (r.done) finish();
      return r;
    },
    async return(value?: unknown) {
      const wasFinished = finished;
      finish();
      // Not awaited: after an expiry the source may still have a next() pending, behind which its return() waits.
      if (!wasFinished) void Promise.resolve(it.return?.(value)).catch(() => {});
      return { done: true, value: undefined };
    },
    async throw(err?: unknown) {
      finish();
      if (it.throw) return it.throw(err);
      throw err;
    },
  };
  return wrapped;
}

export function sseExpiryPlugin(): Plugin<Context> {
  return {
    onSubscribe({ args, extendContext }) {
      const ctx = args.contextValue as Context;
      const viewer = ctx.viewer;
      // Over the WebSocket the socket itself expires, or closes on revocation (and may be renewed on the open connection).
      if (!httpRequestOf(ctx) || !viewer) return;
      if (viewer.kind === 'apiKey') {
        const revoked = new AbortController();
        extendContext({ signal: ctx.signal ? AbortSignal.any([ctx.signal, revoked.signal]) : revoked.signal });
        return {
          onSubscribeResult({ result, setResult }) {
            if (!isAsyncIterable(result)) return;
            setResult(
              untilStopped(
                result,
                (stop: (why: 'revoked' | 'expired') => void) => ctx.services.access.onKeyRevoked(viewer, stop),
                (why) => {
                  revoked.abort();
                  const message = why === 'expired' ? 'This API key has expired.' : 'This API key has been revoked.';
                  return { errors: [new AppError('UNAUTHENTICATED', message)] };
                },
              ),
            );
          },
        };
      }
      const expiresAt = viewer.expiresAt;
      // The subscription's own signal also aborts at the expiry, so what it listens to (the realtime feed) is left at
      // once rather than at its next event.
      const expiry = new AbortController();
      extendContext({ signal: ctx.signal ? AbortSignal.any([ctx.signal, expiry.signal]) : expiry.signal });
      return {
        onSubscribeResult({ result, setResult }) {
          if (!isAsyncIterable(result)) return;
          setResult(
            untilTime(result, expiresAt, () => {
              expiry.abort();
              return {
                errors: [new AppError('UNAUTHENTICATED', 'Your session has expired: renew it and subscribe again from your cursor.')],
              };
            }),
          );
        },
      };
    },
  };
}
