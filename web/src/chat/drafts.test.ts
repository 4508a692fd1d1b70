import { describe, expect, it } from 'vitest';
import { createDraftStore, DRAFT_MAX_AGE_MS, draftKey } from './drafts';

/** A Storage over a Map; `blocked` makes every access throw, as a frame with blocked storage does. */
function memoryStorage(blocked = false): Storage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  const guard = () => {
    if (blocked) throw new DOMException('blocked', 'SecurityError');
  };
  return {
    map,
    get length() {
      return map.size;
    },
    key: (i) => [...map.keys()][i] ?? null,
    getItem: (k) => (guard(), map.get(k) ?? null),
    setItem: (k, v) => (guard(), void map.set(k, String(v))),
    removeItem: (k) => (guard(), void map.delete(k)),
    clear: () => (guard(), map.clear()),
  };
}

describe('drafts', () => {
  const key = draftKey('u1', 'room-1');

  it('a draft survives a reload (a new store over the same storage) and is cleared when sent', () => {
    const local = memoryStorage();
    createDraftStore([() => local]).set(key, 'half a thought');
    const reloaded = createDraftStore([() => local]);
    expect(reloaded.get(key)).toBe('half a thought');
    expect(reloaded.get(draftKey('u1', 'room-2'))).toBe('');
    expect(reloaded.get(draftKey('u2', 'room-1'))).toBe('');
    reloaded.clear(key);
    expect(createDraftStore([() => local]).get(key)).toBe('');
  });

  it('falls back to the next storage, and to memory when every storage is blocked', () => {
    const session = memoryStorage();
    createDraftStore([() => memoryStorage(true), () => session]).set(key, 'in session storage');
    expect(createDraftStore([() => null, () => session]).get(key)).toBe('in session storage');

    const blocked = createDraftStore([
      () => memoryStorage(true),
      () => {
        throw new DOMException('no', 'SecurityError');
      },
    ]);
    blocked.set(key, 'only in memory');
    expect(blocked.get(key)).toBe('only in memory');
    blocked.clear(key);
    expect(blocked.get(key)).toBe('');
  });

  it('a blank text removes the draft; an old draft is dropped', () => {
    const local = memoryStorage();
    let now = 1_000;
    const store = createDraftStore([() => local], () => now);
    store.set(key, 'x');
    store.set(key, '   ');
    expect(local.map.size).toBe(0);
    store.set(key, 'old');
    now += DRAFT_MAX_AGE_MS + 1;
    expect(createDraftStore([() => local], () => now).get(key)).toBe('');
    expect(store.get(key)).toBe('');
  });
});
