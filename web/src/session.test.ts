import { afterEach, describe, expect, it, vi } from 'vitest';
import { clearToken, getToken, LAUNCHED_STORAGE_KEY, markLaunched, SESSION_STORAGE_KEY, setToken, wasLaunched } from './session';

function memoryStorage(): Storage {
  const map = new Map<string, string>();
  return {
    get length() {
      return map.size;
    },
    clear: () => map.clear(),
    getItem: (key) => map.get(key) ?? null,
    key: (index) => [...map.keys()][index] ?? null,
    removeItem: (key) => void map.delete(key),
    setItem: (key, value) => void map.set(key, String(value)),
  };
}

afterEach(() => {
  clearToken();
  vi.unstubAllGlobals();
});

describe('session token', () => {
  it('is stored in sessionStorage', () => {
    const storage = memoryStorage();
    vi.stubGlobal('sessionStorage', storage);
    expect(getToken()).toBeNull();
    setToken('abc');
    expect(storage.getItem(SESSION_STORAGE_KEY)).toBe('abc');
    expect(getToken()).toBe('abc');
    clearToken();
    expect(storage.getItem(SESSION_STORAGE_KEY)).toBeNull();
    expect(getToken()).toBeNull();
  });

  it('reads a token already in sessionStorage (a reload)', () => {
    const storage = memoryStorage();
    storage.setItem(SESSION_STORAGE_KEY, ' tok ');
    vi.stubGlobal('sessionStorage', storage);
    expect(getToken()).toBe('tok');
  });

  it('keeps the token in memory when storage throws', () => {
    const blocked = memoryStorage();
    const fail = () => {
      throw new DOMException('blocked', 'SecurityError');
    };
    blocked.getItem = fail;
    blocked.setItem = fail;
    blocked.removeItem = fail;
    vi.stubGlobal('sessionStorage', blocked);
    setToken('in-memory');
    expect(getToken()).toBe('in-memory');
    clearToken();
    expect(getToken()).toBeNull();
  });

  it('keeps the token in memory when sessionStorage itself cannot be reached', () => {
    Object.defineProperty(globalThis, 'sessionStorage', {
      configurable: true,
      get() {
        throw new DOMException('blocked', 'SecurityError');
      },
    });
    try {
      setToken('still-here');
      expect(getToken()).toBe('still-here');
    } finally {
      delete (globalThis as { sessionStorage?: unknown }).sessionStorage;
    }
  });
});

describe('launched flag', () => {
  it('says the session came from a launch, across a reload of the tab, until the session is cleared', () => {
    const storage = memoryStorage();
    vi.stubGlobal('sessionStorage', storage);
    expect(wasLaunched()).toBe(false);
    setToken('abc');
    expect(wasLaunched()).toBe(false); // a token alone (the tool opened directly) is no launch
    markLaunched();
    expect(storage.getItem(LAUNCHED_STORAGE_KEY)).toBe('1');
    expect(wasLaunched()).toBe(true);
    clearToken();
    expect(wasLaunched()).toBe(false);
    storage.setItem(LAUNCHED_STORAGE_KEY, '1'); // what a reload finds
    expect(wasLaunched()).toBe(true);
  });

  it('is kept in memory when storage is blocked', () => {
    const blocked = memoryStorage();
    blocked.getItem = blocked.setItem = () => {
      throw new DOMException('blocked', 'SecurityError');
    };
    vi.stubGlobal('sessionStorage', blocked);
    markLaunched();
    expect(wasLaunched()).toBe(true);
  });
});
