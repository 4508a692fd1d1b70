/**
 * GraphQL over HTTP (queries, mutations, SSE subscriptions, GraphiQL): a Node request handed to Yoga's fetch, and
 * its response written back, in one write for a single result or chunk by chunk for a stream.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config.js';
import type { Yoga } from '../graphql/yoga.js';
import { AppError } from '../errors.js';
import { readBody, sendJson } from './body.js';
import { externalOrigins, graphiqlContentSecurityPolicy } from './csp.js';

export function graphqlOverHttp(yoga: Yoga, config: Config) {
  return async function graphql(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    let body: Buffer | undefined;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      try {
        body = await readBody(req, config.maxRequestBytes);
      } catch (err) {
        if (err instanceof AppError) {
          res.setHeader('connection', 'close');
          return sendJson(res, 413, { errors: [{ message: err.message, extensions: { code: err.code } }] });
        }
        throw err;
      }
    }
    const response = await yoga.fetch(toRequest(yoga, req, res, url, body), {});
    const outHeaders: Record<string, string> = {};
    response.headers.forEach((v, k) => (outHeaders[k] = v));
    if ((response.headers.get('content-type') ?? '').startsWith('text/html')) {
      // GraphiQL (only when GRAPHIQL is on): a policy naming exactly the sources its page loads, framed by nobody.
      const html = await response.text();
      res.writeHead(response.status, {
        ...outHeaders,
        'content-security-policy': graphiqlContentSecurityPolicy(config, externalOrigins(html)),
      });
      return void res.end(req.method === 'HEAD' ? undefined : html);
    }
    res.writeHead(response.status, outHeaders);
    if (!response.body || req.method === 'HEAD') return void res.end();
    // A single result is sent in one write (reading it as a web stream cost about 0.4 ms of CPU per request);
    // only a stream (SSE, incremental delivery) is read chunk by chunk.
    if (!/^(text\/event-stream|multipart\/mixed)/.test(response.headers.get('content-type') ?? ''))
      return void res.end(await response.text());
    await pipeStream(response.body, res);
  };
}

/** Yoga's Request for a Node request, aborted when its client leaves before the response was sent. */
function toRequest(yoga: Yoga, req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer | undefined): Request {
  const controller = new AbortController();
  // Only a client that left before the response was sent aborts (an abort builds a DOMException with its stack).
  res.once('close', () => res.writableFinished || controller.abort());
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  // Yoga's own fetch implementation (not Node's global Request, whose body is read back through web streams).
  return new yoga.fetchAPI.Request(url.href, {
    method: req.method,
    headers,
    body: body as BodyInit | undefined,
    signal: controller.signal,
  });
}

/** Writes a streamed response as it comes, waiting for the socket to drain; stops when the client goes away. */
async function pipeStream(stream: ReadableStream<Uint8Array>, res: ServerResponse): Promise<void> {
  const reader = stream.getReader();
  const onClose = () => void reader.cancel().catch(() => {});
  res.once('close', onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await new Promise((r) => res.once('drain', r));
    }
  } catch {
    /* the client went away */
  } finally {
    res.off('close', onClose);
    res.end();
  }
}
