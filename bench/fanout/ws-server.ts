/**
 * The raw `ws` baseline of the fanout bench, the practical ceiling (a process of its own, started by
 * bench/fanout.ts). A client connects to /ws and sends one frame, {type: 'join', authorization, roomId}: the
 * app's Authenticator and access rules decide, and the server answers {type: 'joined'}. A message sent with
 * POST /send is persisted like ours (bench/fanout/baseline.ts), serialised once into one buffer
 * ({type: 'roomEvent', payload}) and that same buffer is sent as a text frame to every socket of the room.
 */
import { WebSocketServer, WebSocket } from 'ws';
import { openBaseline, runUntilStopped } from './baseline.js';

const rooms = new Map<string, Set<WebSocket>>();

const b = await openBaseline('raw', (roomId, payload) => {
  const sockets = rooms.get(roomId);
  if (!sockets) return;
  const frame = Buffer.from(JSON.stringify({ type: 'roomEvent', payload }));
  for (const s of sockets) if (s.readyState === WebSocket.OPEN) s.send(frame, { binary: false });
});

const wss = new WebSocketServer({ server: b.server, path: '/ws', maxPayload: b.core.config.maxRequestBytes });
wss.on('connection', (socket) => {
  let joined: string | null = null;
  socket.once('message', (data) => {
    let m: { type?: string; authorization?: unknown; roomId?: unknown };
    try {
      m = JSON.parse(String(data));
    } catch {
      return socket.close(4400, 'The first frame must be a JSON join.');
    }
    b.join(m.authorization, m.roomId).then(
      () => {
        if (socket.readyState !== WebSocket.OPEN) return;
        joined = String(m.roomId);
        let set = rooms.get(joined);
        if (!set) rooms.set(joined, (set = new Set()));
        set.add(socket);
        socket.send(JSON.stringify({ type: 'joined' }));
      },
      (err: unknown) => {
        socket.send(JSON.stringify({ type: 'error', error: err instanceof Error ? err.message : String(err) }));
        socket.close(4403, 'Not allowed in this room.');
      },
    );
  });
  socket.on('close', () => {
    if (joined) rooms.get(joined)?.delete(socket);
  });
  socket.on('error', () => {});
});

await b.listen();
runUntilStopped(b);
