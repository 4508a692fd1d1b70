/**
 * A local OpenAI-compatible chat-completions server for tests (node:http, loopback only). It serves
 * POST /v1/chat/completions with real server-sent events in OpenAI's chat.completion.chunk shape, records every
 * request, and behaves as scripted: stream, answer with a status, drop the connection mid-stream, or hang.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Behaviour =
  | {
      kind: 'stream';
      chunks: string[];
      usage?: { prompt_tokens: number; completion_tokens: number } | null;
      firstTokenDelayMs?: number;
      chunkDelayMs?: number;
      finishReason?: string;
    }
  /** e.g. 429 with retry-after, 500 */
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /** streams some chunks then destroys the socket */
  | { kind: 'drop'; afterChunks: number; chunks: string[] }
  /** never answers (for timeouts/cancel) */
  | { kind: 'hang' };

export interface RecordedRequest {
  body: any;
  headers: Record<string, string>;
}

export interface FakeOpenAi {
  /** base URL ending in /v1 */
  url: string;
  requests: RecordedRequest[];
  /** Queue behaviours for the next requests, first in first out. */
  script(next: Behaviour | Behaviour[]): void;
  /** What a request gets when nothing is queued. */
  setDefault(b: Behaviour): void;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function errorBody(status: number, message: string) {
  const type = status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : 'invalid_request_error';
  return { error: { message, type, param: null, code: type } };
}

export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  const requests: RecordedRequest[] = [];
  const queue: Behaviour[] = [];
  let fallback: Behaviour = { kind: 'stream', chunks: ['Hello', ' world'], usage: { prompt_tokens: 10, completion_tokens: 2 } };
  const sockets = new Set<Socket>();
  let seq = 0;

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://fake');
    if (req.method !== 'POST' || url.pathname !== '/v1/chat/completions') {
      return sendJson(res, 404, errorBody(404, `no route ${req.method} ${url.pathname}`));
    }
    let body: any;
    try {
      body = JSON.parse(raw);
    } catch {
      return sendJson(res, 400, errorBody(400, 'the body is not JSON'));
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    requests.push({ body, headers });

    const b = queue.shift() ?? fallback;
    if (b.kind === 'status') {
      return sendJson(res, b.status, b.body ?? errorBody(b.status, `scripted status ${b.status}`), b.headers);
    }
    if (b.kind === 'hang') return; // the socket stays open until the client gives up or close()
    if (body?.stream !== true) return sendJson(res, 400, errorBody(400, 'this fake only streams: set stream: true'));

    const id = `chatcmpl-fake${++seq}`;
    const created = Math.floor(Date.now() / 1000);
    const model = typeof body.model === 'string' ? body.model : 'unknown';
    const withUsage = body.stream_options?.include_usage === true;
    let gone = false;
    res.on('close', () => {
      gone = true;
    });

    const write = (data: string) =>
      new Promise<void>((resolve) => {
        if (gone) return resolve();
        res.write(`data: ${data}\n\n`, () => resolve());
      });
    const base = { id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_fake' };
    const chunk = (delta: Record<string, unknown>, finishReason: string | null, extra: Record<string, unknown> = {}) =>
      write(
        JSON.stringify({
          ...base,
          choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
          ...(withUsage ? { usage: null } : {}),
          ...extra,
        }),
      );

    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.flushHeaders();

    if (b.kind === 'drop') {
      await chunk({ role: 'assistant', content: '', refusal: null }, null);
      for (const c of b.chunks.slice(0, b.afterChunks)) await chunk({ content: c }, null);
      await sleep(20); // let the written chunks reach the client before the connection breaks
      req.socket.destroy();
      return;
    }

    if (b.firstTokenDelayMs) await sleep(b.firstTokenDelayMs);
    await chunk({ role: 'assistant', content: '', refusal: null }, null);
    for (const [i, c] of b.chunks.entries()) {
      if (gone) return;
      if (i > 0 && b.chunkDelayMs) await sleep(b.chunkDelayMs);
      await chunk({ content: c }, null);
    }
    await chunk({}, b.finishReason ?? 'stop');
    if (withUsage && b.usage) {
      const { prompt_tokens, completion_tokens } = b.usage;
      await write(
        JSON.stringify({
          ...base,
          choices: [],
          usage: { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens },
        }),
      );
    }
    await write('[DONE]');
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    script(next) {
      queue.push(...(Array.isArray(next) ? next : [next]));
    },
    setDefault(b) {
      fallback = b;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
