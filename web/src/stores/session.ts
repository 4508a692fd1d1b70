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
  /** Why the session ended, in the server's words, when it said (e.g. the membership was removed); else null. */
  const reason = ref<string | null>(null);

  /** `why`: the server's sentence when a renewal was refused (shown instead of the generic expiry). */
  function markExpired(why?: string | null): void {
    if (status.value !== 'signed-in') return;
    status.value = 'expired';
    reason.value = why ?? null;
  }

  /** Re-read the token, e.g. after the LTI launch stored a new one. */
  function refresh(): void {
    status.value = getToken() ? 'signed-in' : 'signed-out';
    reason.value = null;
  }

  return { status, reason, signedIn: computed(() => status.value === 'signed-in'), markExpired, refresh };
});
