// The offline queue for sends of one room. Items persist in storage, so a reload keeps them, and
// are sent strictly one at a time in enqueue order. The server makes sends idempotent by clientId,
// so an item keeps its clientId across retries: re-sending after a lost acknowledgment is safe.
import type { PendingStatus } from './timeline';
import type { MessageKind } from '../gql/graphql';
import { randomId } from '../random-id';

export interface OutboxDraft {
  body: string;
  kind: MessageKind;
  language: string | null;
  replyToId: string | null;
  mentionIds: string[];
}

/** Fits the timeline's PendingMessage, so items can be shown as optimistic messages as they are. */
export interface OutboxItem extends OutboxDraft {
  clientId: string;
  roomId: string;
  createdAt: string;
  status: PendingStatus;
  error: string | null;
  /**
   * Epoch ms before which the item is not sent: the server refused it for sending too fast (RATE_LIMITED with
   * `retryAfterMs`), so trying sooner would only be refused again. Null when it may go at once.
   */
  retryAt: number | null;
}

export type OutboxStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface OutboxOptions {
  roomId: string;
  storage: OutboxStorage;
  send: (item: OutboxItem) => Promise<void>;
  /** True for errors worth trying again later (network, RATE_LIMITED, SERVICE_UNAVAILABLE). */
  isRetryable: (err: unknown) => boolean;
  /** How long a retryable error asks to wait before trying again (ms), or null; defaults to GraphQL's `retryAfterMs`. */
  retryAfterMs?: (err: unknown) => number | null;
  /** Runs `fn` after `ms`; returns a cancel function. Defaults to setTimeout. */
  setTimer?: (fn: () => void, ms: number) => () => void;
  onChange?: (items: readonly OutboxItem[]) => void;
  randomId?: () => string;
  now?: () => Date;
}

export interface Outbox {
  /** Queues a message; call flush() to send it. */
  enqueue(draft: OutboxDraft): OutboxItem;
  /** Sends the queued items in order; resolves when the loop stops (queue empty or a retryable failure). */
  flush(): Promise<void>;
  /** Puts a failed item back in the queue and flushes. */
  retry(clientId: string): Promise<void>;
  /** Forgets an item. One being sent may still arrive. */
  discard(clientId: string): void;
  items(): readonly OutboxItem[];
  /** Cancels the wake-up of a queue held back by the rate limit (the room closed). */
  dispose(): void;
}

export function outboxKey(roomId: string): string {
  return `chat-outbox:${roomId}`;
}

function load(storage: OutboxStorage, key: string): OutboxItem[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(storage.getItem(key) ?? '[]');
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed
    .filter((x): x is OutboxItem => typeof x === 'object' && x !== null && typeof x.clientId === 'string' && typeof x.body === 'string')
    .map((item) => ({
      ...item,
      // A send cut short by the reload may or may not have reached the server: send it again
      // (same clientId, so at most one message results).
      status: item.status === 'sending' ? 'queued' : item.status,
      retryAt: typeof item.retryAt === 'number' ? item.retryAt : null,
    }));
}

/** The `retryAfterMs` a GraphQL error carries (RATE_LIMITED), read from any of its errors; else null. */
export function graphqlRetryAfterMs(err: unknown): number | null {
  const errors = (err as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return null;
  for (const e of errors) {
    const ms = (e as { extensions?: { retryAfterMs?: unknown } } | null)?.extensions?.retryAfterMs;
    if (typeof ms === 'number' && Number.isFinite(ms) && ms > 0) return ms;
  }
  return null;
}

/**
 * The line under a message not sent yet. `retryAt` is when the queue may send again (the head of the queue was
 * refused for sending too fast; items behind it wait as long), `connected` whether the realtime connection is up.
 */
export function pendingNote(status: 'sending' | 'queued', retryAt: number | null, now: number, connected: boolean): string {
  if (status === 'sending') return 'Sending…';
  if (retryAt !== null) {
    const s = Math.ceil((retryAt - now) / 1000);
    return s > 0 ? `Sending too fast — sending in ${s} s` : 'Sending…';
  }
  // Connected, yet queued: waiting its turn, or the server asked to try again (SERVICE_UNAVAILABLE).
  return connected ? 'Waiting to be sent…' : 'Waiting for the connection… it will be sent when you are back online.';
}

/** When the queue may send again: the hold of its first queued item (later ones wait behind it), or null. */
export function queueHold(items: readonly { status: PendingStatus; retryAt?: number | null }[]): number | null {
  return items.find((i) => i.status === 'queued')?.retryAt ?? null;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function createOutbox(opts: OutboxOptions): Outbox {
  const key = outboxKey(opts.roomId);
  const newId = opts.randomId ?? randomId;
  const now = opts.now ?? (() => new Date());
  const retryAfterMs = opts.retryAfterMs ?? graphqlRetryAfterMs;
  const setTimer =
    opts.setTimer ??
    ((fn: () => void, ms: number) => {
      const t = setTimeout(fn, ms);
      return () => clearTimeout(t);
    });
  /** Cancels the pending wake-up of a held queue. */
  let cancelWake: (() => void) | null = null;
  let items = load(opts.storage, key);
  /** The running flush loop, shared by concurrent flush() calls. */
  let running: Promise<void> | null = null;

  function changed(): void {
    try {
      if (items.length === 0) opts.storage.removeItem(key);
      else opts.storage.setItem(key, JSON.stringify(items));
    } catch {
      // Storage full or unavailable: the queue still works for this page's lifetime.
    }
    opts.onChange?.(items);
  }

  /** Replaces an item (immutably, since onChange consumers may hold the previous array). */
  function update(clientId: string, patch: Partial<OutboxItem>): void {
    items = items.map((it) => (it.clientId === clientId ? { ...it, ...patch } : it));
    changed();
  }

  function remove(clientId: string): void {
    if (!items.some((it) => it.clientId === clientId)) return;
    items = items.filter((it) => it.clientId !== clientId);
    changed();
  }

  /** Flushes again once the hold is over (one wake-up at a time). */
  function wakeIn(ms: number): void {
    cancelWake?.();
    cancelWake = setTimer(() => {
      cancelWake = null;
      void flush();
    }, ms);
  }

  async function loop(): Promise<void> {
    // Yield once so that flush() has stored this promise before the loop can end and clear it.
    await Promise.resolve();
    try {
      for (;;) {
        // Looked up afresh each time: items may have been enqueued, retried or discarded meanwhile.
        const next = items.find((it) => it.status === 'queued');
        if (!next) return;
        // Held back by the rate limit: sending before then would only be refused again.
        const wait = next.retryAt === null ? 0 : next.retryAt - now().getTime();
        if (wait > 0) {
          wakeIn(wait);
          return;
        }
        update(next.clientId, { status: 'sending', error: null, retryAt: null });
        try {
          await opts.send({ ...next, status: 'sending', error: null, retryAt: null });
          remove(next.clientId);
        } catch (err) {
          if (!items.some((it) => it.clientId === next.clientId)) continue; // discarded while sending
          if (opts.isRetryable(err)) {
            // Keep it first in line and stop: later items must not overtake it. Asked to wait (RATE_LIMITED):
            // hold it until then and wake up by ourselves; otherwise the next flush (reconnect, timer) sends it.
            const after = retryAfterMs(err);
            update(next.clientId, { status: 'queued', error: null, retryAt: after === null ? null : now().getTime() + after });
            if (after !== null) wakeIn(after);
            return;
          }
          update(next.clientId, { status: 'failed', error: errorMessage(err) });
        }
      }
    } finally {
      // Runs in the same step as the return that saw the queue empty (or stopped), so a flush()
      // from any later microtask starts a new loop instead of getting this finished one.
      running = null;
    }
  }

  function flush(): Promise<void> {
    running ??= loop();
    return running;
  }

  return {
    enqueue(draft) {
      const item: OutboxItem = {
        ...draft,
        mentionIds: [...draft.mentionIds],
        clientId: newId(),
        roomId: opts.roomId,
        createdAt: now().toISOString(),
        status: 'queued',
        error: null,
        retryAt: null,
      };
      items = [...items, item];
      changed();
      return item;
    },
    flush,
    retry(clientId) {
      if (items.some((it) => it.clientId === clientId && it.status === 'failed')) update(clientId, { status: 'queued', error: null });
      return flush();
    },
    discard: remove,
    items: () => items,
    dispose() {
      cancelWake?.();
      cancelWake = null;
    },
  };
}
