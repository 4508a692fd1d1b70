import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { UpdateOutbox } from './outbox';

/** A doc that records its local updates, as the provider's outbox receives them. */
function editor() {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  return { doc, text: doc.getText('code'), updates };
}

const textOf = (...updates: Uint8Array[]) => {
  const d = new Y.Doc();
  for (const u of updates) Y.applyUpdate(d, u);
  return d.getText('code').toString();
};

describe('UpdateOutbox', () => {
  it('sends one update at a time; what is made meanwhile goes out merged with the next send', () => {
    const e = editor();
    const box = new UpdateOutbox(Y.mergeUpdates);
    e.text.insert(0, 'a');
    box.add(e.updates[0]!);
    const first = box.take();
    expect(first).not.toBeNull();
    expect(box.inFlight).toBe(true);
    e.text.insert(1, 'b');
    e.text.insert(2, 'c');
    box.add(e.updates[1]!);
    box.add(e.updates[2]!);
    // Still in flight: nothing else goes.
    expect(box.take()).toBeNull();
    box.sent();
    const second = box.take()!;
    box.sent();
    expect(box.empty).toBe(true);
    expect(textOf(first!, second)).toBe('abc');
    // The second is one update holding both edits.
    expect(textOf(e.updates[0]!, second)).toBe('abc');
  });

  it('keeps a failed send and sends it again, merged with what came since, in one update', () => {
    const e = editor();
    const box = new UpdateOutbox(Y.mergeUpdates);
    e.text.insert(0, 'hello');
    box.add(e.updates[0]!);
    box.take();
    box.failed();
    e.text.insert(5, ' world');
    box.add(e.updates[1]!);
    const again = box.take()!;
    expect(textOf(again)).toBe('hello world');
    box.sent();
    expect(box.take()).toBeNull();
  });

  it('replaces everything by the whole state after OUT_OF_SYNC, and a resend of what the server has is harmless', () => {
    const e = editor();
    const box = new UpdateOutbox(Y.mergeUpdates);
    e.text.insert(0, 'x');
    box.add(e.updates[0]!);
    const sent = box.take()!;
    e.text.insert(1, 'y');
    box.add(e.updates[1]!);
    box.replaceAll(Y.encodeStateAsUpdate(e.doc));
    const state = box.take()!;
    // The server applied the first already: the whole state on top doubles nothing.
    expect(textOf(sent, state)).toBe('xy');
    box.clear();
    expect(box.empty).toBe(true);
  });

  it('drains what is in flight and what waits as one update (the last send of a page going away)', () => {
    const e = editor();
    const box = new UpdateOutbox(Y.mergeUpdates);
    expect(box.drain()).toBeNull();
    e.text.insert(0, 'ab');
    box.add(e.updates[0]!);
    box.take();
    e.text.insert(2, 'cd');
    box.add(e.updates[1]!);
    expect(textOf(box.drain()!)).toBe('abcd');
    expect(box.empty).toBe(true);
  });
});
