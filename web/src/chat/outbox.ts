// The offline queue for sends of one room. Items persist in storage, so a reload keeps them, and
// are sent strictly one at a time in enqueue order. The server makes sends idempotent by clientId,
// so an item keeps its clientId across retries: re-sending after a lost acknowledgment is safe.
import type { PendingStatus } from './timeline';
import type { MessageKind } from '../gql/graphql';

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
}

export type OutboxStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface OutboxOptions {
  roomId: string;
  storage: OutboxStorage;
  send: (item: OutboxItem) => Promise<void>;
  /** True for errors worth trying again later (network, RATE_LIMITED, SERVICE_UNAVAILABLE). */
  isRetryable: (err: unknown) => boolean;
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
    }));
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function createOutbox(opts: OutboxOptions): Outbox {
  const key = outboxKey(opts.roomId);
  const randomId = opts.randomId ?? (() => crypto.randomUUID());
  const now = opts.now ?? (() => new Date());
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

  async function loop(): Promise<void> {
    // Yield once so that flush() has stored this promise before the loop can end and clear it.
    await Promise.resolve();
    try {
      for (;;) {
        // Looked up afresh each time: items may have been enqueued, retried or discarded meanwhile.
        const next = items.find((it) => it.status === 'queued');
        if (!next) return;
        update(next.clientId, { status: 'sending', error: null });
        try {
          await opts.send({ ...next, status: 'sending', error: null });
          remove(next.clientId);
        } catch (err) {
          if (!items.some((it) => it.clientId === next.clientId)) continue; // discarded while sending
          if (opts.isRetryable(err)) {
            // Keep it first in line and stop: later items must not overtake it.
            update(next.clientId, { status: 'queued', error: null });
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
      const item: OutboxItem = { ...draft, mentionIds: [...draft.mentionIds], clientId: randomId(), roomId: opts.roomId, createdAt: now().toISOString(), status: 'queued', error: null };
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
  };
}
