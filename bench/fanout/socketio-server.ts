/**
 * The Socket.IO baseline of the fanout bench (a process of its own, started by bench/fanout.ts). A client
 * connects over WebSocket only, authenticates at the handshake with its session token (`auth.authorization`,
 * checked by the app's Authenticator), and emits `join` with the room id: the app's access rules decide, and
 * the socket joins the room. A message sent with POST /send is persisted like ours (bench/fanout/baseline.ts)
 * and emitted once to the room: `io.to(room).emit('roomEvent', payload)` (Socket.IO encodes it once for all).
 */
import { Server } from 'socket.io';
import type { Viewer } from '../../api/src/auth/viewer.js';
import { roomStream } from '../../api/src/rooms/events.js';
import { openBaseline, runUntilStopped } from './baseline.js';

const b = await openBaseline('socketio', (roomId, payload) => io.to(roomStream(roomId)).emit('roomEvent', payload));
const io: Server = new Server(b.server, {
  transports: ['websocket'],
  serveClient: false,
  maxHttpBufferSize: b.core.config.maxRequestBytes,
});

io.use((socket, next) => {
  const authorization = (socket.handshake.auth as { authorization?: unknown } | undefined)?.authorization;
  b.core.services.auth.authenticate(typeof authorization === 'string' ? authorization : undefined).then(
    (viewer) => {
      if (!viewer) return next(new Error('Unauthenticated: send a session token as auth.authorization.'));
      (socket.data as { viewer: Viewer }).viewer = viewer;
      next();
    },
    (err: unknown) => next(err instanceof Error ? err : new Error(String(err))),
  );
});

io.on('connection', (socket) => {
  socket.on('join', (roomId: unknown, ack: (r: { ok: boolean; error?: string }) => void) => {
    const authorization = (socket.handshake.auth as { authorization?: unknown }).authorization;
    b.join(authorization, roomId).then(
      () => {
        void socket.join(roomStream(String(roomId)));
        ack({ ok: true });
      },
      (err: unknown) => ack({ ok: false, error: err instanceof Error ? err.message : String(err) }),
    );
  });
});

await b.listen();
runUntilStopped(b);
