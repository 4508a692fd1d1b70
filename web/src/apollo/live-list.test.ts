import { describe, expect, it } from 'vitest';
import { createLiveList, insertKeyed } from './live-list';

type Ev = { cursor: string | null; id: string };
const byId = (list: readonly string[], ev: Ev) => insertKeyed(list, ev.id, (x) => x);

describe('a live list (useLiveList without Vue)', () => {
  it('resumes from the load’s cursor, then from each event that has one; signals leave it', () => {
    const list = createLiveList<readonly string[], Ev>({ merge: byId, cursorOf: (e) => e.cursor });
    expect(list.cursor).toBeNull();
    const loaded = list.settle(list.begin(), { state: ['a'], cursor: '4' })!;
    expect(list.cursor).toBe('4');
    let state = list.receive(loaded.state, { cursor: '5', id: 'b' });
    expect(list.cursor).toBe('5');
    state = list.receive(state, { cursor: null, id: 'typing' });
    expect(list.cursor).toBe('5');
    expect(state).toEqual(['a', 'b', 'typing']);
  });

  it('without event cursors, resumes from the last load', () => {
    const list = createLiveList<readonly string[], Ev>({ merge: byId });
    list.settle(list.begin(), { state: [], cursor: 'opaque-list-cursor' });
    list.receive([], { cursor: 'ignored', id: 'x' });
    expect(list.cursor).toBe('opaque-list-cursor');
  });

  it('keeps only the latest load: one that returns after a newer one started is dropped', () => {
    const list = createLiveList<readonly string[], Ev>({ merge: byId, cursorOf: (e) => e.cursor });
    const first = list.begin();
    const second = list.begin();
    expect(list.isCurrent(first)).toBe(false);
    expect(list.settle(second, { state: ['new'], cursor: '9' })).toEqual({ state: ['new'], cursor: '9' });
    expect(list.settle(first, { state: ['old'], cursor: '3' })).toBeNull();
    expect(list.cursor).toBe('9');
  });

  it('a replay of what the load already held changes nothing: the same state back', () => {
    const list = createLiveList<readonly string[], Ev>({ merge: byId, cursorOf: (e) => e.cursor });
    const { state } = list.settle(list.begin(), { state: ['a', 'b'], cursor: '1' })!;
    // The list was read after the cursor: events 2 and 3 are in it already, 4 is not.
    const after2 = list.receive(state, { cursor: '2', id: 'a' });
    const after3 = list.receive(after2, { cursor: '3', id: 'b' });
    expect(after3).toBe(state);
    expect(list.receive(after3, { cursor: '4', id: 'c' })).toEqual(['a', 'b', 'c']);
  });
});

describe('insertKeyed', () => {
  const key = (x: { id: string }) => x.id;
  it('adds first or last, and keeps the held copy of a key it has', () => {
    const held = [{ id: 'a', v: 1 }];
    expect(insertKeyed(held, { id: 'b', v: 2 }, key, 'first')).toEqual([
      { id: 'b', v: 2 },
      { id: 'a', v: 1 },
    ]);
    expect(insertKeyed(held, { id: 'b', v: 2 }, key)).toEqual([
      { id: 'a', v: 1 },
      { id: 'b', v: 2 },
    ]);
    expect(insertKeyed(held, { id: 'a', v: 9 }, key)).toBe(held);
  });
});
