/**
 * What the two baseline servers of the fanout bench share: the app's own core (same database, same Redis, same
 * configuration from the environment as ours), an HTTP server with /healthz and POST /send, and the payload.
 *
 * POST /send persists a message exactly as ours does: the sender's Bearer credential through the app's
 * Authenticator, then `services.rooms.send` (the function the sendMessage resolver calls: rate limit, idempotent
 * clientId, the room's stream event, the message row, read state, after-post hook, Redis publish). The stored
 * message is then handed to `deliver` as the object ours' subscription yields ({ type, cursor, message }) and
 * the server answers with { id, seq }, as ours answers only after the write is delivered locally too.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { loadConfig } from '../../api/src/config.js';
import { createLogger } from '../../api/src/logger.js';
import { openCore, type Core } from '../../api/src/app.js';
import { readBody } from '../../api/src/http/body.js';
import { AppError } from '../../api/src/errors.js';
import type { Viewer } from '../../api/src/auth/viewer.js';
import type { MessageView } from '../../api/src/rooms/views.js';
import type { RoomEventPayload } from './common.js';

export interface Baseline {
  core: Core;
  server: Server;
  /** A subscriber's credential and room: the viewer, once the app says it may read the room (else it throws). */
  join(authorization: unknown, roomId: unknown): Promise<Viewer>;
  listen(): Promise<void>;
  close(): Promise<void>;
}

/** The fields ours' subscription selects (bench/fanout/common.ts ROOM_EVENTS), from the stored message. */
export function payloadOf(m: MessageView): RoomEventPayload {
  const seq = String(m.seq ?? 0);
  return {
    type: 'MESSAGE_ADDED',
    cursor: seq,
    message: { id: m.id, seq, body: m.body, createdAt: m.createdAt, author: m.author ? { id: m.author.id, name: m.author.name } : null },
  };
}

export async function openBaseline(name: string, deliver: (roomId: string, payload: RoomEventPayload) => void): Promise<Baseline> {
  const config = loadConfig(process.env, []);
  const log = createLogger(config.logLevel);
  const core = await openCore(config, log);
  const { services } = core;

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };

  async function sendRoute(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const viewer = await services.auth.authenticate(req.headers.authorization);
    if (!viewer) throw new AppError('UNAUTHENTICATED', 'A Bearer credential is required.');
    const input = JSON.parse((await readBody(req, config.maxRequestBytes)).toString('utf8')) as {
      roomId: string;
      clientId: string;
      body: string;
    };
    const message = await services.rooms.send(viewer, {
      roomId: String(input.roomId),
      clientId: String(input.clientId),
      body: String(input.body),
      kind: 'text',
    });
    deliver(message.roomId, payloadOf(message));
    json(res, 200, { id: message.id, seq: String(message.seq) });
  }

  const server = createServer((req, res) => {
    const p = (req.url ?? '/').split('?')[0];
    if (p === '/healthz') return json(res, 200, { status: 'ok', server: name });
    if (p === '/send' && req.method === 'POST') {
      sendRoute(req, res).catch((err: unknown) => {
        if (err instanceof AppError) return json(res, 400, { error: { code: err.code, message: err.message } });
        log.error({ err }, `${name}: send failed`);
        json(res, 500, { error: { code: 'INTERNAL_SERVER_ERROR', message: String(err) } });
      });
      return;
    }
    json(res, 404, { error: { code: 'NOT_FOUND' } });
  });

  return {
    core,
    server,
    async join(authorization, roomId) {
      const viewer = await services.auth.authenticate(typeof authorization === 'string' ? authorization : undefined);
      if (!viewer) throw new AppError('UNAUTHENTICATED', 'A credential is required.');
      await services.rooms.access.requireRoomRead(viewer, String(roomId));
      return viewer;
    },
    listen: () =>
      new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => resolve());
      }),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await core.close();
    },
  };
}

/** Runs a baseline server until SIGTERM, SIGINT or the parent's going away. */
export function runUntilStopped(b: Baseline): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    b.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The bench died without stopping us (SIGKILL): we were handed to another parent.
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && stop(), 1000).unref();
}
