/**
 * Subscriptions over HTTP (SSE) count against the same per-user (or API key) connection budget as WebSockets,
 * WS_MAX_SOCKETS_PER_USER, through the one SocketCounter both transports share: a user's WebSockets and open SSE
 * streams together are at most that many. Each SSE subscription holds a place from its start until it ends, however
 * it ends: the client leaves or the server shuts down (the response closes, the request's signal aborts), the server
 * completes it or it fails (its event stream ends or throws), it is refused when it starts (FORBIDDEN, a bad cursor:
 * a single result, nothing open), or its result is not streamed at all (a client that accepts no event stream gets
 * 406). Over the limit: TOO_MANY_CONNECTIONS with HTTP 429, and nothing is held open.
 *
 * The WebSocket counts its sockets itself, at connection_init (ws.ts): its subscriptions are not counted again here.
 */
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { httpRequestOf, type Context } from './context.js';
import type { SocketCounter } from '../http/ws-sockets.js';
import { AppError } from '../errors.js';

/** The source, which calls `end` once it ends in any way: done, returned (the client left), thrown, failed. */
function untilEnd<T>(source: AsyncIterable<T>, end: () => void): AsyncIterableIterator<T> {
  const it = source[Symbol.asyncIterator]();
  const wrapped: AsyncIterableIterator<T> = {
    [Symbol.asyncIterator]: () => wrapped,
    next: () =>
      it.next().then(
        (r) => {
          if (r.done) end();
          return r;
        },
        (err: unknown) => {
          end();
          throw err;
        },
      ),
    return: (value?: unknown) => {
      end();
      return it.return ? it.return(value) : Promise.resolve({ done: true, value } as IteratorResult<T>);
    },
    throw: (err?: unknown) => {
      end();
      return it.throw ? it.throw(err) : Promise.reject(err);
    },
  };
  return wrapped;
}

export function sseConnectionsPlugin(sockets: SocketCounter, limit: number): Plugin<Context> {
  /** The open SSE subscriptions by request: their release, and their event stream once it started. */
  const open = new WeakMap<Request, { release: () => void; stream: AsyncIterableIterator<unknown> | null }>();
  return {
    async onSubscribe({ args, setResultAndStopExecution }) {
      const request = httpRequestOf(args.contextValue);
      const viewer = (args.contextValue as Context).viewer;
      if (!request || !viewer) return; // over the WebSocket, counted per socket; anonymous: every subscription refuses it
      const claim = await sockets.claim(viewer);
      if (claim === null) {
        const whose = viewer.kind === 'session' ? 'your account' : 'this API key';
        setResultAndStopExecution({
          data: null,
          errors: [
            new AppError(
              'TOO_MANY_CONNECTIONS',
              `Too many connections: ${whose} has ${limit} open (WebSockets and SSE subscriptions: tabs, windows, devices, streams). Close one; retry in a minute.`,
              { limit },
            ),
          ],
        });
        return;
      }
      if (claim === 'unchecked') return; // Redis did not answer: the limit protects the service, it does not stop it
      const entry = {
        stream: null as AsyncIterableIterator<unknown> | null,
        release: () => {
          request.signal.removeEventListener('abort', entry.release);
          open.delete(request);
          sockets.release(claim);
        },
      };
      if (request.signal.aborted) return entry.release(); // the client left meanwhile: its subscription ends with the signal
      request.signal.addEventListener('abort', entry.release, { once: true });
      open.set(request, entry);
      return {
        onSubscribeResult({ result, setResult }) {
          if (!isAsyncIterable(result)) return entry.release(); // refused at its start: one result, nothing open
          const stream = untilEnd(result, entry.release);
          entry.stream = stream;
          setResult(stream);
        },
      };
    },
    onResponse({ request, response }) {
      // The answer is out: an event stream holds its place until it ends; anything else (a subscription that failed to
      // start, or one whose events are not sent: 406 to a client that accepts no event stream) holds nothing, and a
      // stream that nobody reads is ended.
      const entry = open.get(request);
      if (!entry || (entry.stream && (response.headers.get('content-type') ?? '').startsWith('text/event-stream'))) return;
      if (entry.stream) void entry.stream.return?.().catch(() => {});
      entry.release();
    },
  };
}
