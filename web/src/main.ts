import { print } from 'graphql';
import { createPinia } from 'pinia';
import { createApp, watch } from 'vue';
import App from './App.vue';
import { createApolloClient } from './apollo/client';
import { apolloClientKey } from './apollo/provide';
import { createRealtimeSocket } from './connection/socket';
import { retryOnReturn } from './connection/triggers';
import { graphqlWsUrl } from './connection/url';
import { finishLaunchIfAny } from './launch/boot';
import { REFRESH_SESSION } from './graphql/session';
import { browserTabChannel, createSessionRenewer, refreshOverHttp } from './renewal/renewer';
import { createAppRouter } from './router';
import { getToken, setToken } from './session';
import { useConnectionStore } from './stores/connection';
import { useLaunchStore } from './stores/launch';
import { useSessionStore } from './stores/session';
import './styles/base.css';

async function boot(): Promise<void> {
  // An LTI launch first (index.html shows "Loading…" meanwhile): it stores the session token
  // that everything below starts with, and says which page to open.
  const launch = await finishLaunchIfAny(window);
  const launchedAt = launch?.ok ? Date.now() : null;

  const app = createApp(App);
  const pinia = createPinia();
  app.use(pinia);

  const session = useSessionStore(pinia);
  const connection = useConnectionStore(pinia);
  if (launch && !launch.ok) useLaunchStore(pinia).fail({ code: launch.code, message: launch.message });

  const socket = createRealtimeSocket({
    url: () => graphqlWsUrl(window.location),
    getToken,
    onEvent: connection.dispatch,
    onAuthRejected: session.markExpired,
  });

  app.provide(apolloClientKey, createApolloClient({ getToken, wsLink: socket.link, onUnauthenticated: session.markExpired }));

  // The session renews itself while the tool is open; the socket takes each new token on its open connection.
  const refreshQuery = print(REFRESH_SESSION);
  const renewer = createSessionRenewer({
    getToken,
    setToken,
    refresh: (token) => refreshOverHttp((input, init) => window.fetch(input, init), refreshQuery, token),
    onRenewed: (token) => void socket.renew(token),
    onRefused: (message) => session.markExpired(message),
    channel: browserTabChannel(),
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') renewer.wake();
  });

  // "Retry now" in the status pill, and coming back to the page, reconnect at once instead of waiting out the backoff.
  connection.setWake(() => socket.wake());
  retryOnReturn(
    { window, document },
    () => connection.status,
    () => socket.wake(),
  );

  window.addEventListener('online', () => {
    connection.dispatch({ type: 'browser-online' });
    socket.wake();
    renewer.wake();
  });
  window.addEventListener('offline', () => {
    connection.dispatch({ type: 'browser-offline' });
    socket.suspend();
  });

  // Connect only with a session; drop the socket when the session ends or expires.
  watch(
    () => session.signedIn,
    (signedIn, wasSignedIn) => {
      if (signedIn) {
        if (wasSignedIn === false) socket.restart();
        else socket.start();
        renewer.start(launchedAt);
      } else {
        renewer.stop();
        socket.stop();
        connection.dispatch({ type: 'signed-out' });
      }
    },
    { immediate: true },
  );

  const router = createAppRouter();
  if (launch?.ok) {
    // Navigating before the router is installed makes this the first view (replacing /lti/launch
    // in the history), so the app never renders the launch URL itself.
    try {
      await router.replace(launch.redirect);
    } catch (error) {
      console.error('[launch] could not open', launch.redirect, error);
      await router.replace('/').catch(() => undefined);
    }
  }
  app.use(router);
  app.mount('#app');
}

void boot();
