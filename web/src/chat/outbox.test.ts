import { describe, expect, it } from 'vitest';
import {
  createOutbox,
  graphqlRetryAfterMs,
  outboxKey,
  pendingNote,
  queueHold,
  type OutboxDraft,
  type OutboxItem,
  type OutboxOptions,
  type OutboxStorage,
} from './outbox';

function memoryStorage(): OutboxStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
}

class Retryable extends Error {}

interface Call {
  item: OutboxItem;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** A send whose calls stay pending until the test settles them, one by one. */
function scriptedSend() {
  const calls: Call[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const send = (item: OutboxItem) =>
    new Promise<void>((resolve, reject) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const done = () => inFlight--;
      calls.push({
        item,
        resolve: () => (done(), resolve()),
        reject: (err) => (done(), reject(err)),
      });
    });
  return { send, calls, maxInFlight: () => maxInFlight };
}

/** Lets the outbox's promise chains run. */
const settle = () => new Promise((r) => setTimeout(r, 0));

function draft(body: string): OutboxDraft {
  return { body, kind: 'TEXT', language: null, replyToId: null, mentionIds: [] };
}

function setup(over: Partial<OutboxOptions> = {}, storage = memoryStorage()) {
  const s = scriptedSend();
  let n = 0;
  const changes: (readonly OutboxItem[])[] = [];
  const outbox = createOutbox({
    roomId: 'r1',
    storage,
    send: s.send,
    isRetryable: (err) => err instanceof Retryable,
    onChange: (items) => changes.push(items),
    randomId: () => `c${++n}`,
    ...over,
  });
  return { outbox, storage, changes, ...s };
}

const statuses = (items: readonly OutboxItem[]) => items.map((i) => `${i.body}:${i.status}`);

describe('outbox', () => {
  it('enqueues with a fresh clientId and persists under chat-outbox:<roomId>', () => {
    const { outbox, storage, changes } = setup();
    const a = outbox.enqueue({ ...draft('a'), kind: 'CODE', language: 'python', replyToId: 'm1', mentionIds: ['u1'] });
    const b = outbox.enqueue(draft('b'));
    expect(a).toMatchObject({
      clientId: 'c1',
      roomId: 'r1',
      body: 'a',
      kind: 'CODE',
      language: 'python',
      replyToId: 'm1',
      mentionIds: ['u1'],
      status: 'queued',
      error: null,
      retryAt: null,
    });
    expect(b.clientId).toBe('c2');
    expect(outboxKey('r1')).toBe('chat-outbox:r1');
    expect(JSON.parse(storage.map.get('chat-outbox:r1')!)).toHaveLength(2);
    expect(changes.at(-1)).toHaveLength(2);
  });

  it('uses crypto.randomUUID by default', () => {
    const outbox = createOutbox({ roomId: 'r', storage: memoryStorage(), send: async () => {}, isRetryable: () => false });
    expect(outbox.enqueue(draft('x')).clientId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends one at a time in enqueue order and empties the storage', async () => {
    const { outbox, storage, calls, maxInFlight } = setup();
    outbox.enqueue(draft('a'));
    outbox.enqueue(draft('b'));
    outbox.enqueue(draft('c'));
    const done = outbox.flush();
    await settle();
    expect(calls.map((c) => c.item.body)).toEqual(['a']);
    expect(statuses(outbox.items())).toEqual(['a:sending', 'b:queued', 'c:queued']);
    calls[0]!.resolve();
    await settle();
    expect(calls.map((c) => c.item.body)).toEqual(['a', 'b']);
    calls[1]!.resolve();
    await settle();
    calls[2]!.resolve();
    await done;
    expect(calls.map((c) => c.item.body)).toEqual(['a', 'b', 'c']);
    expect(maxInFlight()).toBe(1);
    expect(outbox.items()).toEqual([]);
    expect(storage.map.has('chat-outbox:r1')).toBe(false);
  });

  it('sends items enqueued while flushing in the same loop', async () => {
    const { outbox, calls } = setup();
    outbox.enqueue(draft('a'));
    const done = outbox.flush();
    await settle();
    outbox.enqueue(draft('b'));
    calls[0]!.resolve();
    await settle();
    calls[1]!.resolve();
    await done;
    expect(calls.map((c) => c.item.body)).toEqual(['a', 'b']);
  });

  it('runs one loop for concurrent flush calls: nothing is sent twice', async () => {
    const { outbox, calls, maxInFlight } = setup();
    outbox.enqueue(draft('a'));
    outbox.enqueue(draft('b'));
    const first = outbox.flush();
    const second = outbox.flush();
    expect(second).toBe(first);
    await settle();
    const third = outbox.flush(); // mid-send
    await settle();
    expect(calls).toHaveLength(1);
    calls[0]!.resolve();
    await settle();
    calls[1]!.resolve();
    await Promise.all([first, second, third]);
    expect(calls.map((c) => c.item.clientId)).toEqual(['c1', 'c2']);
    expect(maxInFlight()).toBe(1);
  });

  it('starts a new loop for a flush after the previous one ended', async () => {
    const { outbox, calls } = setup();
    await outbox.flush(); // nothing queued
    outbox.enqueue(draft('a'));
    const done = outbox.flush();
    await settle();
    calls[0]!.resolve();
    await done;
    expect(outbox.items()).toEqual([]);
  });

  it('stops on a retryable error, keeping the item queued and first in line', async () => {
    const { outbox, calls } = setup();
    outbox.enqueue(draft('a'));
    outbox.enqueue(draft('b'));
    const done = outbox.flush();
    await settle();
    calls[0]!.reject(new Retryable('Network error'));
    await done;
    expect(calls).toHaveLength(1); // b did not overtake a
    expect(outbox.items().map((i) => [i.body, i.status, i.error])).toEqual([
      ['a', 'queued', null],
      ['b', 'queued', null],
    ]);

    // Next flush (reconnect or timer): a again, with the same clientId, then b.
    const again = outbox.flush();
    await settle();
    expect(calls[1]!.item).toMatchObject({ body: 'a', clientId: 'c1' });
    calls[1]!.resolve();
    await settle();
    expect(calls[2]!.item.body).toBe('b');
    calls[2]!.resolve();
    await again;
    expect(outbox.items()).toEqual([]);
  });

  it('marks a non-retryable failure and goes on with the next item', async () => {
    const { outbox, calls } = setup();
    outbox.enqueue(draft('a'));
    outbox.enqueue(draft('b'));
    const done = outbox.flush();
    await settle();
    calls[0]!.reject(new Error('Message too long'));
    await settle();
    expect(calls[1]!.item.body).toBe('b');
    calls[1]!.resolve();
    await done;
    expect(outbox.items()).toEqual([expect.objectContaining({ body: 'a', status: 'failed', error: 'Message too long' })]);
    // A later flush leaves the failed item alone.
    await outbox.flush();
    expect(calls).toHaveLength(2);
  });

  it('records a non-Error rejection as a string', async () => {
    const { outbox, calls } = setup();
    outbox.enqueue(draft('a'));
    const done = outbox.flush();
    await settle();
    calls[0]!.reject('FORBIDDEN');
    await done;
    expect(outbox.items()[0]!.error).toBe('FORBIDDEN');
  });

  it('retries a failed item with the same clientId', async () => {
    const { outbox, calls } = setup();
    outbox.enqueue(draft('a'));
    let done = outbox.flush();
    await settle();
    calls[0]!.reject(new Error('boom'));
    await done;
    done = outbox.retry('c1');
    await settle();
    expect(outbox.items()[0]).toMatchObject({ status: 'sending', error: null });
    expect(calls[1]!.item.clientId).toBe('c1');
    calls[1]!.resolve();
    await done;
    expect(outbox.items()).toEqual([]);
  });

  it('discards an item', async () => {
    const { outbox, calls, storage } = setup();
    outbox.enqueue(draft('a'));
    outbox.enqueue(draft('b'));
    outbox.discard('c1');
    expect(statuses(outbox.items())).toEqual(['b:queued']);
    expect(JSON.parse(storage.map.get('chat-outbox:r1')!)).toHaveLength(1);
    const done = outbox.flush();
    await settle();
    calls[0]!.resolve();
    await done;
    expect(calls.map((c) => c.item.body)).toEqual(['b']);
  });

  it('survives discarding the item being sent, whatever the send then does', async () => {
    const { outbox, calls } = setup();
    outbox.enqueue(draft('a'));
    outbox.enqueue(draft('b'));
    const done = outbox.flush();
    await settle();
    outbox.discard('c1');
    calls[0]!.reject(new Retryable('offline'));
    await settle();
    expect(calls[1]!.item.body).toBe('b');
    calls[1]!.resolve();
    await done;
    expect(outbox.items()).toEqual([]);
  });

  it('keeps items across a reload, a send cut short becoming queued again', async () => {
    const storage = memoryStorage();
    const first = setup({}, storage);
    first.outbox.enqueue(draft('a'));
    first.outbox.enqueue(draft('b'));
    first.outbox.enqueue(draft('c'));
    void first.outbox.flush();
    await settle();
    first.calls[0]!.reject(new Error('invalid'));
    await settle(); // a failed, b sending: now the page reloads

    const second = setup({ randomId: () => 'new' }, storage);
    expect(second.outbox.items().map((i) => [i.clientId, i.body, i.status])).toEqual([
      ['c1', 'a', 'failed'],
      ['c2', 'b', 'queued'],
      ['c3', 'c', 'queued'],
    ]);
    const done = second.outbox.flush();
    await settle();
    expect(second.calls[0]!.item.clientId).toBe('c2'); // same clientId: the server dedupes
    second.calls[0]!.resolve();
    await settle();
    second.calls[1]!.resolve();
    await done;
    expect(statuses(second.outbox.items())).toEqual(['a:failed']);
  });

  it('keeps rooms apart and ignores unreadable storage', () => {
    const storage = memoryStorage();
    setup({}, storage).outbox.enqueue(draft('a'));
    expect(setup({ roomId: 'r2' }, storage).outbox.items()).toEqual([]);
    storage.map.set('chat-outbox:r3', '{not json');
    expect(setup({ roomId: 'r3' }, storage).outbox.items()).toEqual([]);
    storage.map.set('chat-outbox:r4', JSON.stringify([{ nope: 1 }, 'x']));
    expect(setup({ roomId: 'r4' }, storage).outbox.items()).toEqual([]);
  });

  it('works on when storage throws', async () => {
    const storage: OutboxStorage = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => {},
    };
    const { outbox, calls } = setup({}, storage as ReturnType<typeof memoryStorage>);
    outbox.enqueue(draft('a'));
    const done = outbox.flush();
    await settle();
    calls[0]!.resolve();
    await done;
    expect(calls).toHaveLength(1);
  });

  it('hands onChange immutable snapshots', async () => {
    const { outbox, changes, calls } = setup();
    outbox.enqueue(draft('a'));
    const done = outbox.flush();
    await settle();
    calls[0]!.resolve();
    await done;
    expect(changes.map(statuses)).toEqual([['a:queued'], ['a:sending'], []]);
  });

  describe('held back by the rate limit (RATE_LIMITED with retryAfterMs)', () => {
    /** A GraphQL error as Apollo hands it over: `errors` with the server's extensions. */
    const rateLimited = (retryAfterMs: number) =>
      Object.assign(new Retryable('Slow down'), { errors: [{ message: 'Slow down', extensions: { code: 'RATE_LIMITED', retryAfterMs } }] });

    /** A clock and timers the test moves by hand. */
    function manualTime(start = 1_000_000) {
      let t = start;
      const timers: { at: number; fn: () => void; cancelled: boolean }[] = [];
      return {
        now: () => new Date(t),
        setTimer: (fn: () => void, ms: number) => {
          const timer = { at: t + ms, fn, cancelled: false };
          timers.push(timer);
          return () => void (timer.cancelled = true);
        },
        pending: () => timers.filter((x) => !x.cancelled && x.at > t),
        advance(ms: number) {
          t += ms;
          for (const x of timers.filter((y) => !y.cancelled && y.at <= t)) {
            x.cancelled = true;
            x.fn();
          }
        },
        get t() {
          return t;
        },
      };
    }

    it('keeps the item queued with retryAt, sends nothing before then, and sends it by itself after', async () => {
      const time = manualTime();
      const { outbox, calls, storage } = setup({ now: time.now, setTimer: time.setTimer });
      outbox.enqueue(draft('a'));
      outbox.enqueue(draft('b'));
      let done = outbox.flush();
      await settle();
      calls[0]!.reject(rateLimited(4_200));
      await done;
      expect(outbox.items().map((i) => [i.body, i.status, i.retryAt])).toEqual([
        ['a', 'queued', time.t + 4_200],
        ['b', 'queued', null],
      ]);
      // Kept across a reload too.
      expect(JSON.parse(storage.map.get('chat-outbox:r1')!)[0].retryAt).toBe(time.t + 4_200);
      expect(queueHold(outbox.items())).toBe(time.t + 4_200);

      // A flush meanwhile (the room's timer, a reconnect) does not send early.
      time.advance(3_000);
      done = outbox.flush();
      await done;
      expect(calls).toHaveLength(1);
      expect(time.pending()).toHaveLength(1); // one wake-up, not one per flush

      time.advance(1_200); // the hold is over: the outbox flushes by itself
      await settle();
      expect(calls).toHaveLength(2);
      expect(calls[1]!.item).toMatchObject({ body: 'a', clientId: 'c1', retryAt: null });
      expect(outbox.items()[0]).toMatchObject({ status: 'sending', retryAt: null });
      calls[1]!.resolve();
      await settle();
      calls[2]!.resolve();
      await settle();
      expect(calls.map((c) => c.item.body)).toEqual(['a', 'a', 'b']);
      expect(outbox.items()).toEqual([]);
    });

    it('without retryAfterMs, waits for the next flush as before', async () => {
      const time = manualTime();
      const { outbox, calls } = setup({ now: time.now, setTimer: time.setTimer });
      outbox.enqueue(draft('a'));
      const done = outbox.flush();
      await settle();
      calls[0]!.reject(new Retryable('Network error'));
      await done;
      expect(outbox.items()[0]).toMatchObject({ status: 'queued', retryAt: null });
      expect(time.pending()).toEqual([]);
    });

    it('dispose cancels the wake-up', async () => {
      const time = manualTime();
      const { outbox, calls } = setup({ now: time.now, setTimer: time.setTimer });
      outbox.enqueue(draft('a'));
      const done = outbox.flush();
      await settle();
      calls[0]!.reject(rateLimited(1_000));
      await done;
      outbox.dispose();
      time.advance(5_000);
      await settle();
      expect(calls).toHaveLength(1);
    });

    it("reads retryAfterMs from any of a GraphQL error's errors", () => {
      expect(graphqlRetryAfterMs(rateLimited(1500))).toBe(1500);
      expect(graphqlRetryAfterMs({ errors: [{ extensions: { code: 'X' } }, { extensions: { retryAfterMs: 20 } }] })).toBe(20);
      for (const e of [
        null,
        undefined,
        new Error('x'),
        { errors: 'no' },
        { errors: [null, { extensions: { retryAfterMs: -5 } }, { extensions: { retryAfterMs: '9' } }] },
      ]) {
        expect(graphqlRetryAfterMs(e)).toBeNull();
      }
    });
  });

  describe('pendingNote', () => {
    it('counts down while the rate limit holds the queue, whatever the connection', () => {
      expect(pendingNote('queued', 10_000, 5_800, true)).toBe('Sending too fast — sending in 5 s');
      expect(pendingNote('queued', 10_000, 9_001, true)).toBe('Sending too fast — sending in 1 s');
      expect(pendingNote('queued', 10_000, 10_000, true)).toBe('Sending…');
      expect(pendingNote('queued', 10_000, 5_800, false)).toBe('Sending too fast — sending in 5 s');
    });
    it('says it waits for the connection only when there is none', () => {
      expect(pendingNote('queued', null, 0, false)).toBe('Waiting for the connection… it will be sent when you are back online.');
      expect(pendingNote('queued', null, 0, true)).toBe('Waiting to be sent…');
      expect(pendingNote('sending', null, 0, true)).toBe('Sending…');
    });
    it('every queued item waits behind the first queued one', () => {
      expect(queueHold([{ status: 'failed' }, { status: 'queued', retryAt: 7 }, { status: 'queued', retryAt: null }])).toBe(7);
      expect(queueHold([{ status: 'sending', retryAt: null }, { status: 'queued' }])).toBeNull();
      expect(queueHold([])).toBeNull();
    });
  });
});
