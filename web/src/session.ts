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
  try {
    storage()?.removeItem(SESSION_STORAGE_KEY);
  } catch {
    // Nothing to clear.
  }
}
