/**
 * Realtime connection status for the UI. The transitions live in connection/status.ts;
 * main.ts feeds this store from the socket and from the browser's online/offline events.
 */
import { defineStore } from 'pinia';
import { computed, shallowRef } from 'vue';
import { type ConnectionEvent, type ConnectionStatus, canRetryNow, initialStatus, reduceConnection } from '../connection/status';
import { getToken } from '../session';

function browserOnline(): boolean {
  return typeof navigator === 'undefined' || navigator.onLine !== false;
}

export const useConnectionStore = defineStore('connection', () => {
  const status = shallowRef<ConnectionStatus>(initialStatus({ signedIn: getToken() !== null, browserOnline: browserOnline() }));

  function dispatch(event: ConnectionEvent): void {
    status.value = reduceConnection(status.value, event);
  }

  /** Cuts the socket's backoff short; main.ts hands it the socket's wake-up. */
  let wake: () => void = () => {};
  function setWake(fn: () => void): void {
    wake = fn;
  }
  /** "Retry now": reconnect at once instead of waiting out the backoff. */
  function retryNow(): void {
    if (canRetryNow(status.value)) wake();
  }

  return {
    status,
    state: computed(() => status.value.state),
    reason: computed(() => status.value.reason),
    /** Retry attempt in progress or scheduled (1-based); 0 when none. */
    attempt: computed(() => status.value.attempt),
    /** Epoch milliseconds of the next scheduled retry, or null. */
    nextRetryAt: computed(() => status.value.nextRetryAt),
    dispatch,
    setWake,
    retryNow,
  };
});
