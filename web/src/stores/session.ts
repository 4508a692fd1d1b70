/**
 * Whether the app has a usable session. 'expired' means the API rejected the token
 * (UNAUTHENTICATED, or the WebSocket closed with 4401/4403); the token is kept, the
 * shell asks the user to reopen the tool from the LMS.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { getToken } from '../session';

export type SessionStatus = 'signed-in' | 'signed-out' | 'expired';

export const useSessionStore = defineStore('session', () => {
  const status = ref<SessionStatus>(getToken() ? 'signed-in' : 'signed-out');

  function markExpired(): void {
    if (status.value === 'signed-in') status.value = 'expired';
  }

  /** Re-read the token, e.g. after the LTI launch stored a new one. */
  function refresh(): void {
    status.value = getToken() ? 'signed-in' : 'signed-out';
  }

  return { status, signedIn: computed(() => status.value === 'signed-in'), markExpired, refresh };
});
