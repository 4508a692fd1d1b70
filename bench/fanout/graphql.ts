/**
 * The GraphQL clients the benches drive the app with, as the web app does: queries and mutations POSTed over
 * HTTP (a keep-alive agent), subscriptions over graphql-ws (one socket per client).
 */
import http from 'node:http';
import { createClient, type Client, type ClientOptions } from 'graphql-ws';
import WebSocket from 'ws';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each operation's answer is read field by field
export type Answer = { data?: Record<string, any>; errors?: { message: string; extensions?: { code?: string } }[] };

/** POSTs GraphQL over a keep-alive agent; resolves with the parsed answer. */
export function poster(url: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const call = (token: string, query: string, variables: Record<string, unknown>): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify({ query, variables });
      const req = http.request(
        url + '/graphql',
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            authorization: `Bearer ${token}`,
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            try {
              resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Answer);
            } catch (err) {
              reject(err instanceof Error ? err : new Error(String(err)));
            }
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return { call, close: () => agent.destroy() };
}

export type Call = ReturnType<typeof poster>['call'];

/** The answer's data, or an Error naming the operation and its errors. */
export const must = (a: Answer, what: string) => {
  if (a.errors) throw new Error(`${what}: ${JSON.stringify(a.errors)}`);
  return a.data!;
};

/** A graphql-ws client of the server at `url` (http://…), signed in with `token`; connects on its first subscription. */
export function ws(url: string, token: string, extra: Partial<ClientOptions> = {}): Client {
  return createClient({
    url: url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: true,
    ...extra,
  });
}

/** The user id a session token names (its `sub`). */
export const userIdOf = (token: string): string =>
  (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8') || '{}') as { sub?: string }).sub ?? '';
