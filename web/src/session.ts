/**
 * The session token the tool uses for the API (HTTP `Authorization: Bearer` and the
 * WebSocket `connectionParams`). It lives in sessionStorage, so it is per tab and
 * gone when the tab closes. The LTI launch fills it (a later issue).
 *
 * Storage can be unavailable inside an LMS iframe (third-party storage blocked,
 * sandboxed frames): every access is guarded and then behaves as "no session".
 */
export const SESSION_STORAGE_KEY = 'lt.session';

function storage(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null; // SecurityError when storage is blocked
  }
}

export function getToken(): string | null {
  try {
    const token = storage()?.getItem(SESSION_STORAGE_KEY)?.trim();
    return token ? token : null;
  } catch {
    return null;
  }
}

export function setToken(token: string): void {
  try {
    storage()?.setItem(SESSION_STORAGE_KEY, token);
  } catch {
    // Storage full or blocked: the token only lives as long as this call chain.
  }
}

export function clearToken(): void {
  try {
    storage()?.removeItem(SESSION_STORAGE_KEY);
  } catch {
    // Nothing to clear.
  }
}
