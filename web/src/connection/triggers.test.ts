import { describe, expect, it } from 'vitest';
import { retryOnReturn } from './triggers';
import type { ConnectionStatus } from './status';

const reconnecting: ConnectionStatus = { state: 'reconnecting', reason: null, attempt: 7, nextRetryAt: 13_000, browserOnline: true };
const connected: ConnectionStatus = { state: 'connected', reason: null, attempt: 0, nextRetryAt: null, browserOnline: true };
const offline: ConnectionStatus = { state: 'offline', reason: 'network', attempt: 3, nextRetryAt: 9_000, browserOnline: false };

function page() {
  const window = new EventTarget();
  const document = Object.assign(new EventTarget(), { visibilityState: 'visible' as string });
  return { window, document };
}

describe('retryOnReturn', () => {
  it('retries at once when the page regains focus or is shown again while reconnecting', () => {
    const targets = page();
    let status = reconnecting;
    let retries = 0;
    retryOnReturn(
      targets,
      () => status,
      () => retries++,
    );
    targets.window.dispatchEvent(new Event('focus'));
    expect(retries).toBe(1);
    targets.document.dispatchEvent(new Event('visibilitychange'));
    expect(retries).toBe(2);
    // Hidden: nobody is looking, the backoff goes on.
    targets.document.visibilityState = 'hidden';
    targets.document.dispatchEvent(new Event('visibilitychange'));
    expect(retries).toBe(2);
    // Connected or offline: nothing to cut short (offline waits for the browser's `online`).
    targets.document.visibilityState = 'visible';
    for (status of [connected, offline]) {
      targets.window.dispatchEvent(new Event('focus'));
      targets.document.dispatchEvent(new Event('visibilitychange'));
    }
    expect(retries).toBe(2);
  });

  it('stops listening when unsubscribed', () => {
    const targets = page();
    let retries = 0;
    const stop = retryOnReturn(
      targets,
      () => reconnecting,
      () => retries++,
    );
    stop();
    targets.window.dispatchEvent(new Event('focus'));
    targets.document.dispatchEvent(new Event('visibilitychange'));
    expect(retries).toBe(0);
  });
});
