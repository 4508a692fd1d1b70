#!/usr/bin/env node
/**
 * Follows a course's chat room live with an API key, and never misses or repeats a message.
 *
 *   LT_API_KEY=ltk_… node examples/follow-room.mjs --url https://tool.example.edu --course <course id> [--room <room id>]
 *
 * (`--key ltk_…` works too, but a key on the command line is visible to other users of the machine.)
 *
 * 1. Lists the course's rooms over HTTP (the `course` query). Each room's `lastSeq` is the position of its event
 *    stream when the list was read.
 * 2. Follows the course room (or `--room`) with the `roomEvents` subscription over WebSocket (graphql-ws), from
 *    that position, and prints each message.
 * 3. Remembers the `cursor` of every event. When the connection drops (network, server restart, deploy) it
 *    reconnects with backoff and subscribes again with `after` set to the last cursor: the server first replays
 *    what was committed in between, then continues live. Nothing is missed, nothing is printed twice.
 *
 * Messages go to stdout, status lines to stderr. Exit codes: 0 stopped (Ctrl-C), 1 refused for good (bad key,
 * no access, bad cursor), 2 usage. Needs Node 20+ and two packages from the npm registry: graphql-ws and ws.
 */
import { parseArgs } from 'node:util';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const { values } = parseArgs({
  options: { url: { type: 'string' }, key: { type: 'string' }, course: { type: 'string' }, room: { type: 'string' } },
});
const base = (values.url ?? process.env.LT_URL ?? '').replace(/\/+$/, '').replace(/\/graphql$/, '');
const apiKey = values.key ?? process.env.LT_API_KEY ?? '';
const courseId = values.course ?? process.env.LT_COURSE_ID ?? '';
if (!base || !apiKey || !courseId) {
  console.error(
    'usage: LT_API_KEY=ltk_… node examples/follow-room.mjs --url https://tool.example.edu --course <course id> [--room <room id>]',
  );
  process.exit(2);
}
const httpUrl = `${base}/graphql`;
const wsUrl = httpUrl.replace(/^http/, 'ws');
const status = (line) => console.error(`[follow-room] ${line}`);

/** Errors the server means for good: retrying would get the same answer. */
const FATAL_CODES = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'BAD_USER_INPUT', 'BAD_CURSOR', 'CURSOR_EXPIRED']);
/** WebSocket close codes that are final: 4401 bad or revoked credential, 4403 forbidden. */
const FATAL_CLOSES = new Set([4401, 4403]);

class Fatal extends Error {}

const ROOMS = /* GraphQL */ `
  query CourseRooms($id: ID!) {
    course(id: $id) {
      id
      title
      rooms {
        id
        kind
        name
        topic
        lastSeq
      }
    }
  }
`;

const ROOM_EVENTS = /* GraphQL */ `
  subscription FollowRoom($roomId: ID!, $after: String) {
    roomEvents(roomId: $roomId, after: $after) {
      type
      cursor
      message {
        id
        kind
        body
        language
        createdAt
        editedAt
        deleted
        author {
          name
          bot
        }
      }
    }
  }
`;

/** One GraphQL request over HTTP; throws Fatal with the server's code when it refuses. */
async function query(source, variables) {
  const res = await fetch(httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query: source, variables }),
  });
  const body = await res.json().catch(() => null);
  const error = body?.errors?.[0];
  if (error) throw new Fatal(`${error.extensions?.code ?? `HTTP ${res.status}`}: ${error.message}`);
  if (!res.ok || !body?.data) throw new Error(`HTTP ${res.status}`);
  return body.data;
}

function printMessage(event) {
  const m = event.message;
  if (!m) return;
  const time = String(m.createdAt).slice(11, 19);
  const who = m.author ? m.author.name + (m.author.bot ? ' (bot)' : '') : 'system';
  if (event.type === 'MESSAGE_DELETED') return void console.log(`${time} [message ${m.id} deleted]`);
  const text = m.kind === 'CODE' ? `[${m.language ?? 'code'}]\n${m.body}` : m.body;
  const mark = event.type === 'MESSAGE_EDITED' ? ' (edited)' : '';
  console.log(`${time} ${who}${mark}: ${text.replace(/\n/g, '\n    ')}`);
}

/** The code of a graphql-ws error: GraphQL errors (an array) or a close event. */
function describe(err) {
  if (Array.isArray(err)) {
    const e = err[0] ?? {};
    return { code: e.extensions?.code ?? 'ERROR', message: e.message ?? '', retryAfterMs: Number(e.extensions?.retryAfterMs) || 0 };
  }
  if (err && typeof err.code === 'number') return { close: err.code, message: String(err.reason ?? '') };
  return { message: err instanceof Error ? err.message : String(err) };
}

let stopping = false;
let client = null;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    stopping = true;
    void Promise.resolve(client?.dispose()).finally(() => process.exit(0));
  });
}

async function main() {
  const { course } = await query(ROOMS, { id: courseId });
  if (!course) throw new Fatal(`NOT_FOUND: course ${courseId} does not exist or is not in this key's reach.`);
  console.log(`${course.title}: ${course.rooms.length} room(s) this key can read`);
  for (const r of course.rooms)
    console.log(`  ${r.kind.padEnd(6)}  ${r.name}  (id ${r.id}, at ${r.lastSeq})${r.topic ? ` — ${r.topic}` : ''}`);
  const room = values.room ? course.rooms.find((r) => r.id === values.room) : course.rooms.find((r) => r.kind === 'COURSE');
  if (!room)
    throw new Fatal(values.room ? `NOT_FOUND: room ${values.room} is not among them.` : 'NOT_FOUND: the course has no course room yet.');

  // The position the room list reflects: following from here shows every message posted after the list was read.
  let cursor = room.lastSeq;
  for (let attempt = 0; !stopping; attempt++) {
    status(`following "${room.name}" from cursor ${cursor}`);
    client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${apiKey}` },
      // Reconnecting is done here, not by graphql-ws: its retries send the first `after` again, and it gives up
      // on a server restart (1012) or shutdown (1001).
      retryAttempts: 0,
      on: { connected: () => (attempt = 0) },
    });
    let wait;
    try {
      for await (const result of client.iterate({ query: ROOM_EVENTS, variables: { roomId: room.id, after: cursor } })) {
        if (result.errors) throw result.errors;
        const event = result.data.roomEvents;
        // Signals (typing, read receipts, the tutor writing) carry no cursor: they are not stored, nothing to resume.
        if (!event.cursor) continue;
        cursor = event.cursor;
        printMessage(event);
      }
      if (stopping) break;
      status('the server ended the subscription');
      return 0;
    } catch (err) {
      if (stopping) break;
      const e = describe(err);
      if ((e.code && FATAL_CODES.has(e.code)) || (e.close && FATAL_CLOSES.has(e.close)))
        throw new Fatal(`${e.code ?? e.close}: ${e.message}`);
      // Too many connections for this key (4430) or subscription starts (RATE_LIMITED): wait as long as asked.
      const backoff = Math.min(30_000, 500 * 2 ** attempt);
      wait = e.close === 4430 ? 60_000 : e.retryAfterMs || backoff + Math.random() * backoff * 0.5;
      status(
        `disconnected (${e.code ?? e.close ?? 'network'}${e.message ? `: ${e.message}` : ''}); reconnecting in ${(wait / 1000).toFixed(1)} s from cursor ${cursor}`,
      );
    } finally {
      await client.dispose();
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    status(err instanceof Fatal ? `stopped: ${err.message}` : `failed: ${err?.stack ?? err}`);
    process.exit(1);
  },
);
