/**
 * The session token the tool uses for the API (HTTP `Authorization: Bearer` and the
 * WebSocket `connectionParams`). It lives in sessionStorage, so it is per tab and
 * gone when the tab closes. The LTI launch fills it (launch/launch.ts).
 *
 * Storage can be unavailable inside an LMS iframe (third-party storage blocked,
 * sandboxed frames): every access is guarded, and the token is also kept in memory,
 * so a launch in such a frame still works for the life of the page.
 */
export const SESSION_STORAGE_KEY = 'lt.session';

/** The token this page set, for when sessionStorage is blocked or full. */
let memoryToken: string | null = null;

function storage(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null; // SecurityError when storage is blocked
  }
}

function stored(): string | null {
  try {
    const token = storage()?.getItem(SESSION_STORAGE_KEY)?.trim();
    return token ? token : null;
  } catch {
    return null;
  }
}

export function getToken(): string | null {
  // What this page set wins: storage may hold an older token when a write failed.
  return memoryToken ?? stored();
}

export function setToken(token: string): void {
  memoryToken = token.trim() || null;
  try {
    storage()?.setItem(SESSION_STORAGE_KEY, token);
  } catch {
    // Storage full or blocked: the in-memory copy serves for the life of the page.
  }
}

export function clearToken(): void {
  memoryToken = null;
  memoryLaunched = false;
  try {
    storage()?.removeItem(SESSION_STORAGE_KEY);
    storage()?.removeItem(LAUNCHED_STORAGE_KEY);
  } catch {
    // Nothing to clear.
  }
}

/**
 * Whether this tab's session came from an LTI launch (rather than the tool being opened directly). Inside a launch
 * the LMS is the navigation around the tool, so the shell drops its own. Kept like the token: per tab, across a
 * reload, in memory where storage is blocked.
 */
export const LAUNCHED_STORAGE_KEY = 'lt.launched';
let memoryLaunched = false;

export function markLaunched(): void {
  memoryLaunched = true;
  try {
    storage()?.setItem(LAUNCHED_STORAGE_KEY, '1');
  } catch {
    // Blocked or full: the in-memory flag serves for the life of the page.
  }
}

export function wasLaunched(): boolean {
  if (memoryLaunched) return true;
  try {
    return storage()?.getItem(LAUNCHED_STORAGE_KEY) === '1';
  } catch {
    return false;
  }
}
