/**
 * The WebSocket transport's shared subscriptions: a subscription whose payload is the same for every reader is
 * executed and serialised once per event for all of its subscribers, and each gets the same bytes framed with its
 * own subscription id. `feed` fields join a fan-out group (realtime/fanout.ts) that sends their frames; `shared`
 * fields keep their own source per subscriber and share the rendering of each event.
 */
import type { WebSocket } from 'ws';
import {
  createSourceEventStream,
  execute as executeSync,
  Kind,
  visit,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  GraphQLError,
  type OperationDefinitionNode,
} from 'graphql';
import { maskError } from 'graphql-yoga';
import type { Metrics } from '../metrics.js';
import type { Logger } from '../logger.js';
import { AppError, errorForLog, isAbort, isUnexpected, withCode } from '../errors.js';
import { FEED, isFeed, type Fanout, type FeedSpec } from '../realtime/fanout.js';
import type { Context } from '../graphql/context.js';

/** What a shared subscription needs of its socket: where to send, and the operations to abort when it ends. */
export interface Member {
  socket: WebSocket;
  operations: Map<string, AbortController>;
}

/** What onSubscribe hands to `execute`/`subscribe` through the root value (graphql-ws passes nothing else). */
export interface Hooks {
  execute: (a: ExecutionArgs) => unknown;
  subscribe: (a: ExecutionArgs) => unknown;
  /**
   * Set when the operation's field declares a payload that is the same for every reader: `feed` (served by a
   * fan-out group) or `shared` (its own source per subscriber, rendered once per event for all of them). With the
   * subscription's id and its operation key.
   */
  feed?: { mode: 'feed' | 'shared'; id: string; key: string; extra: Member };
  /** Aborts the operation (its context's signal). */
  abort: () => void;
}

/**
 * A subscription's events, whose `return` (the client's `complete`) aborts the operation first. An async generator
 * waiting for its next event takes a `return` only when that event comes: until then its stream, its presence hold
 * and its work stay, while graphql-ws no longer lists it (a subscribe/complete loop would pile them up past the
 * per-socket cap).
 */
export function abortOnReturn(result: unknown, abort: () => void): unknown {
  if (result instanceof Promise) return result.then((r: unknown) => abortOnReturn(r, abort));
  if (typeof result !== 'object' || result === null || typeof (result as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function')
    return result;
  const it = (result as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  const wrapped: AsyncIterableIterator<unknown> = {
    [Symbol.asyncIterator]: () => wrapped,
    next: () => it.next(),
    return: (value?: unknown) => {
      abort();
      return it.return ? it.return(value) : Promise.resolve({ done: true, value });
    },
    throw: (err?: unknown) => (it.throw ? it.throw(err) : Promise.reject(err)),
  };
  return wrapped;
}

/**
 * The part of a fan-out group's key that comes from the operation: its text and name, and the variables used
 * anywhere but in the root field's own arguments (those choose the stream and the cursor, and the stream is the
 * other part of the key). Two subscribers with equal keys get byte-identical payloads for every event.
 */
export function operationKey(
  query: string,
  operationName: string | null | undefined,
  document: DocumentNode,
  root: FieldNode,
  variables: Record<string, unknown> | null | undefined,
): string {
  const uses = new Map<string, number>();
  const count = (node: unknown, into: Map<string, number>) =>
    visit(node as DocumentNode, {
      VariableDefinition: () => false,
      Variable: (v) => void into.set(v.name.value, (into.get(v.name.value) ?? 0) + 1),
    });
  count(document, uses);
  const inRootArgs = new Map<string, number>();
  for (const arg of root.arguments ?? []) count(arg, inRootArgs);
  const shared = [...uses]
    .filter(([name, n]) => n > (inRootArgs.get(name) ?? 0))
    .map(([name]) => name)
    .sort();
  return JSON.stringify([query, operationName ?? null, shared.map((n) => [n, variables?.[n] ?? null])]);
}

/**
 * The subscription's single root field, when it is a plain field (not a fragment) whose payload does not depend
 * on the reader: `extensions: { feed: true }` (its resolver returns a Feed) or `{ sharedPayload: true }` (any
 * async iterable whose events are objects shared by every subscriber of the same event).
 */
export function sharedField(args: ExecutionArgs, op: OperationDefinitionNode): { field: FieldNode; mode: 'feed' | 'shared' } | null {
  if (op.operation !== 'subscription' || op.selectionSet.selections.length !== 1) return null;
  const sel = op.selectionSet.selections[0]!;
  if (sel.kind !== Kind.FIELD) return null;
  const ext = args.schema.getSubscriptionType()?.getFields()[sel.name.value]?.extensions;
  return ext?.feed === true ? { field: sel, mode: 'feed' } : ext?.sharedPayload === true ? { field: sel, mode: 'shared' } : null;
}

/**
 * `{"id":"<id>","type":"next","payload":` for one subscription, as bytes: a payload shared by many subscribers is
 * framed for each with this prefix.
 */
export const nextPrefix = (id: string) => Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`);

/** The bytes of the payload being sent (one event is sent to a whole group in a row: one encoding for all). */
let lastJson = '';
let lastBytes = Buffer.alloc(0);
function bytesOf(json: string): Buffer {
  if (json !== lastJson) {
    lastBytes = Buffer.from(json);
    lastJson = json;
  }
  return lastBytes;
}

interface WsInternals {
  _socket?: { write(b: Buffer): boolean } | null;
  _sender?: { _state: number; _queue: unknown[] } | null;
  _extensions?: Record<string, unknown>;
}

/**
 * One complete, unmasked text frame (header, prefix, payload, closing brace) in one buffer and one write to the
 * TCP socket, when ws's sender is idle (nothing queued, no compression: then ws would write the same bytes, in
 * two writes and a cork). Otherwise through ws. The frame's bytes are exactly what `socket.send` would send.
 */
export function sendNext(socket: WebSocket, prefix: Buffer, json: string): void {
  const payload = bytesOf(json);
  const ws = socket as unknown as WsInternals;
  const raw = ws._socket;
  const sender = ws._sender;
  if (!raw || !sender || sender._state !== 0 || sender._queue.length > 0 || (ws._extensions && Object.keys(ws._extensions).length > 0)) {
    socket.send(prefix.toString() + json + '}');
    return;
  }
  const length = prefix.length + payload.length + 1;
  const head = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + length);
  frame[0] = 0x81; // FIN, text
  if (head === 2) frame[1] = length;
  else if (head === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  prefix.copy(frame, head);
  payload.copy(frame, head + prefix.length);
  frame[head + length - 1] = 0x7d; // }
  raw.write(frame);
}

/** Rendered payloads by event object and operation key: subscribers with their own sources share one rendering. */
const renderedOf = new WeakMap<object, Map<string, string>>();

/** An async iterable for graphql-ws that yields nothing: the fan-out group sends the frames; it only ends. */
function endable(onReturn: () => void) {
  let settle!: { resolve: (r: IteratorResult<never>) => void; reject: (e: unknown) => void };
  const ended = new Promise<IteratorResult<never>>((resolve, reject) => (settle = { resolve, reject }));
  ended.catch(() => {}); // an end with an error before graphql-ws iterates is not an unhandled rejection
  const done = { done: true, value: undefined } as IteratorResult<never>;
  const iterator: AsyncIterableIterator<never> = {
    [Symbol.asyncIterator]: () => iterator,
    next: () => ended,
    return: async () => {
      onReturn();
      settle.resolve(done);
      return done;
    },
  };
  return { iterator, end: (err?: Error) => (err ? settle.reject(err) : settle.resolve(done)) };
}

export interface SharedDeps {
  fanout: Fanout;
  metrics: Metrics;
  log: Logger;
  /** Unexpected errors keep their message (development), or are masked (production). */
  isDev: boolean;
  /** Sends a frame: a shared payload framed with one subscription's prefix. */
  sendFrame: (socket: WebSocket, prefix: Buffer, json: string) => void;
}

/** Subscribes a `feed` or `shared` field (see Hooks.feed); anything else falls back to the plain subscribe. */
export class SharedSubscriptions {
  constructor(private readonly d: SharedDeps) {}

  /**
   * A feed field's subscription: the resolver runs as for any subscription (its checks, its errors), then the
   * subscriber joins the fan-out group of (stream, operation key) and the group sends its frames.
   */
  async subscribe(args: ExecutionArgs, hooks: Hooks, feed: NonNullable<Hooks['feed']>): Promise<unknown> {
    const source = await createSourceEventStream({ ...args, rootValue: undefined });
    if (feed.mode === 'shared' && !('errors' in (source as ExecutionResult)))
      return this.pumpShared(args, source as AsyncIterable<unknown>, feed);
    if (!isFeed(source)) {
      if ('errors' in (source as ExecutionResult) && (source as ExecutionResult).errors)
        return { errors: this.mask((source as ExecutionResult).errors!, args.operationName) };
      return abortOnReturn(hooks.subscribe(args), hooks.abort); // not a feed after all: the plain way
    }
    const spec: FeedSpec = source[FEED];
    const key = `${spec.stream}\n${feed.key}`;
    return this.join(key, spec, this.renderer(args, key), feed.extra, feed.id);
  }

  /**
   * Errors of what runs outside Yoga's execute and subscribe (a feed's source, a shared rendering): coded, the
   * unexpected ones logged once with their stack (an abort at debug), then masked, as the Yoga plugin does.
   */
  private mask(errors: readonly GraphQLError[], operation?: string | null): GraphQLError[] {
    const { log, isDev } = this.d;
    return errors.map((e) => {
      withCode(e);
      const original = isUnexpected(e);
      if (original && isAbort(original)) log.debug({ operation: operation ?? '(anonymous)' }, 'ws: operation aborted (the client left)');
      else if (original)
        log.error({ err: errorForLog(original), operation: operation ?? '(anonymous)', path: e.path?.join('.') }, 'ws: unexpected error');
      return maskError(e, 'Unexpected error.', isDev) as GraphQLError;
    });
  }

  /**
   * A subscription with its own source whose events are shared objects (chatActivity: one object per room event
   * for every reader's room list): each event is rendered once per operation key, for whoever iterates it first,
   * and the other subscribers send the same JSON. The source still checks each reader's rights.
   */
  private pumpShared(args: ExecutionArgs, source: AsyncIterable<unknown>, feed: NonNullable<Hooks['feed']>) {
    const { sendFrame, metrics } = this.d;
    const key = feed.key;
    const render = this.renderer(args, key);
    const prefix = nextPrefix(feed.id);
    const { socket, operations } = feed.extra;
    const id = feed.id;
    const iterator = source[Symbol.asyncIterator]();
    const { iterator: ending, end } = endable(() => {
      operations.get(id)?.abort();
      void iterator.return?.();
    });
    void (async () => {
      try {
        for (;;) {
          const r = await iterator.next();
          if (r.done) break;
          const json = this.renderOnce(r.value, key, render);
          metrics.sharedPayloads.inc();
          sendFrame(socket, prefix, json);
        }
        end();
      } catch (err) {
        end(this.clientError(err));
      }
    })();
    return ending;
  }

  /** A shared event's payload for an operation key: rendered by whichever subscriber comes first, reused by the others. */
  private renderOnce(root: unknown, key: string, render: (root: unknown) => string): string {
    if (typeof root !== 'object' || root === null) return render(root);
    let byKey = renderedOf.get(root);
    if (!byKey) renderedOf.set(root, (byKey = new Map()));
    let json = byKey.get(key);
    if (json === undefined) {
      byKey.set(key, (json = render(root)));
      this.d.metrics.sharedRenders.inc();
    }
    return json;
  }

  /** What ends a subscription for its client: our errors as they are, anything else masked. */
  private clientError(err: unknown): Error {
    return err instanceof AppError
      ? err
      : (this.mask([err instanceof GraphQLError ? err : new GraphQLError(String((err as Error)?.message ?? err))])[0] as Error);
  }

  /**
   * Renders a shared root value into a `next` payload, with no viewer at all. It takes what it needs from `args`
   * and lets go of the rest: graphql-ws holds `args` while the subscription lives.
   */
  private renderer(args: ExecutionArgs, key: string) {
    const shared = { ...(args.contextValue as Context), viewer: null, signal: undefined };
    const exec = {
      schema: args.schema,
      document: args.document,
      variableValues: args.variableValues,
      operationName: args.operationName,
      contextValue: shared,
    };
    (args as { contextValue?: unknown }).contextValue = undefined;
    (args as { rootValue?: unknown }).rootValue = undefined;
    return (root: unknown): string => {
      let result = executeSync({ ...exec, rootValue: root }) as ExecutionResult | Promise<ExecutionResult>;
      if (result instanceof Promise) {
        void result.catch(() => {});
        result = { data: null, errors: [new GraphQLError('A feed field resolved asynchronously.')] };
        this.d.log.error({ key }, 'ws: a feed field resolved asynchronously; feeds must resolve from their event');
      }
      return JSON.stringify(result.errors ? { ...result, errors: this.mask(result.errors, exec.operationName) } : result);
    };
  }

  /**
   * Joins the fan-out group; what stays per member is only what this scope holds (the socket, the frame's
   * prefix, the operation's abort), a few hundred bytes.
   */
  private join(key: string, spec: FeedSpec, render: (root: unknown) => string, extra: Member, id: string) {
    const { sendFrame } = this.d;
    const prefix = nextPrefix(id);
    const socket = extra.socket;
    const operations = extra.operations;
    let left = false;
    const { iterator, end } = endable(() => {
      left = true;
      operations.get(id)?.abort();
    });
    this.d.fanout
      .join(key, spec, render, {
        send: (json) => sendFrame(socket, prefix, json),
        end,
      })
      .catch((err: unknown) => {
        if (!left) end(this.clientError(err));
      });
    return iterator;
  }
}
