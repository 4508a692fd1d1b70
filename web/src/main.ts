import { createPinia } from 'pinia';
import { createApp, watch } from 'vue';
import App from './App.vue';
import { createApolloClient } from './apollo/client';
import { apolloClientKey } from './apollo/provide';
import { createRealtimeSocket } from './connection/socket';
import { graphqlWsUrl } from './connection/url';
import { createAppRouter } from './router';
import { getToken } from './session';
import { useConnectionStore } from './stores/connection';
import { useSessionStore } from './stores/session';
import './styles/base.css';

const app = createApp(App);
const pinia = createPinia();
app.use(pinia);

const session = useSessionStore(pinia);
const connection = useConnectionStore(pinia);

const socket = createRealtimeSocket({
  url: () => graphqlWsUrl(window.location),
  getToken,
  onEvent: connection.dispatch,
  onAuthRejected: session.markExpired,
});

app.provide(
  apolloClientKey,
  createApolloClient({ getToken, wsLink: socket.link, onUnauthenticated: session.markExpired }),
);

window.addEventListener('online', () => {
  connection.dispatch({ type: 'browser-online' });
  socket.wake();
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
    } else {
      socket.stop();
      connection.dispatch({ type: 'signed-out' });
    }
  },
  { immediate: true },
);

app.use(createAppRouter());
app.mount('#app');
