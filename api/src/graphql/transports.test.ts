/** GraphQL over HTTP, over WebSocket (the graphql-ws client) and over SSE, against the real app. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { startApp, seed, gql, wsClient, subscribe, poll, type TestApp, type Fixture } from '../../test/harness.js';
import { defineStream, type EventShape } from '../realtime/realtime.js';
import { printedSchema } from './schema.js';
import { schemaFile } from './print-schema.js';

const ME = `{ me { kind user { name } tenant { name } course { id title } roles } }`;
/** A course's stream, open to test events of any type. */
const courseStream = defineStream<EventShape>('course');
const ACTIVITY = `subscription($courseId: ID!, $after: String) { courseActivity(courseId: $courseId, after: $after) { cursor type data } }`;

describe('GraphQL transports', () => {
  let app: TestApp;
  let fx: Fixture;
  beforeAll(async () => {
    app = await startApp();
    fx = await seed(app.core);
  });
  afterAll(() => app?.close());

  const ping = (i: number) =>
    app.core.services.realtime.write((_tx, emit) =>
      emit(courseStream(fx.course.id), { tenantId: fx.tenant.id, type: 'test.ping', payload: { i } }),
    );

  it('answers queries over HTTP with the session in a Bearer header', async () => {
    const { status, body } = await gql(app.url, ME, {}, fx.instructorToken);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.me).toEqual({
      kind: 'SESSION',
      user: { name: fx.instructor.name },
      tenant: { name: 'LMS A' },
      course: { id: fx.course.id, title: 'Course A' },
      roles: ['INSTRUCTOR'],
    });
  });

  it('serves GraphiQL to a browser and queries over GET', async () => {
    const page = await fetch(app.url + '/graphql', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('GraphiQL');
    const res = await fetch(app.url + '/graphql?query=' + encodeURIComponent('{ me { kind } }'), {
      headers: { authorization: `Bearer ${fx.learnerToken}`, accept: 'application/json' },
    });
    expect(await res.json()).toEqual({ data: { me: { kind: 'SESSION' } } });
  });

  it('runs subscriptions over WebSocket with the token in connection_init', async () => {
    const c = wsClient(app.wsUrl, fx.learnerToken);
    const s = subscribe<{ type: string; data: { i: number } }>(c.client, ACTIVITY, { courseId: fx.course.id }, 'courseActivity');
    await poll(
      () => app.core.services.realtime.activeSubscriptions > 0,
      5000,
      () => 'not subscribed',
    );
    await ping(1);
    await ping(2);
    const got = await s.waitFor(2);
    expect(got.map((e) => [e.type, e.data.i])).toEqual([
      ['test.ping', 1],
      ['test.ping', 2],
    ]);
    // Queries work on the same socket too.
    const me = await new Promise<any>((resolve, reject) => {
      c.client.subscribe({ query: '{ me { user { name } } }' }, { next: resolve, error: reject, complete: () => {} });
    });
    expect(me.data.me.user.name).toBe(fx.learner.name);
    await c.client.dispose();
  });

  it('ends the server side of a subscription when the client completes it, even with no event pending', async () => {
    const { realtime } = app.core.services;
    await poll(
      () => realtime.activeSubscriptions === 0,
      5000,
      () => 'earlier subscriptions still open',
    );
    const c = wsClient(app.wsUrl, fx.learnerToken);
    const s = subscribe(c.client, ACTIVITY, { courseId: fx.course.id }, 'courseActivity');
    await poll(
      () => realtime.activeSubscriptions === 1 && realtime.hub.streamCount === 1,
      5000,
      () => 'not subscribed',
    );
    s.stop();
    await poll(
      () => realtime.activeSubscriptions === 0 && realtime.hub.streamCount === 0,
      5000,
      () => 'subscription leaked on the server',
    );
    await c.client.dispose();
  });

  it('runs subscriptions over SSE, resuming from a cursor', async () => {
    const controller = new AbortController();
    const res = await fetch(app.url + '/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${fx.instructorToken}` },
      body: JSON.stringify({ query: ACTIVITY, variables: { courseId: fx.course.id, after: '0' } }),
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const events: any[] = [];
    const want = 3; // course.created, member.joined x2 from the seed
    while (events.length < want) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      let idx;
      while ((idx = text.indexOf('\n\n')) >= 0) {
        const frame = text.slice(0, idx);
        text = text.slice(idx + 2);
        const data = frame.split('\n').find((l) => l.startsWith('data:'));
        if (frame.startsWith('event: next') && data) events.push(JSON.parse(data.slice(5)).data.courseActivity);
      }
    }
    controller.abort();
    expect(events.slice(0, 3).map((e) => e.type)).toEqual(['course.created', 'member.joined', 'member.joined']);
    expect(events.map((e) => Number(e.cursor))).toEqual(events.map((_e, i) => i + 1));
  });

  it('reports connections and subscriptions on /metrics, health on /healthz and /readyz', async () => {
    await poll(
      () => app.core.services.realtime.activeSubscriptions === 0,
      5000,
      () => 'earlier subscriptions still open',
    );
    const c = wsClient(app.wsUrl, fx.learnerToken);
    const s = subscribe(c.client, ACTIVITY, { courseId: fx.course.id }, 'courseActivity');
    await poll(
      () => app.core.services.realtime.activeSubscriptions === 1,
      5000,
      () => 'not subscribed',
    );
    const metrics = await (await fetch(app.url + '/metrics')).text();
    expect(metrics).toMatch(/^ws_connections_open [1-9]/m);
    expect(metrics).toMatch(/^graphql_subscriptions_active [1-9]/m);
    expect(metrics).toMatch(/^http_requests_total\{method="POST",route="\/graphql",status="200"\} \d+/m);
    expect(metrics).toContain('http_request_duration_seconds_bucket');
    s.stop();
    await c.client.dispose();
    expect(await (await fetch(app.url + '/healthz')).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(app.url + '/readyz')).json()).toEqual({ status: 'ready', database: 'ok', redis: 'ok' });
  });

  it('renews a session token for a member', async () => {
    const { body } = await gql(app.url, 'mutation { refreshSession { token expiresAt } }', {}, fx.learnerToken);
    expect(body.errors).toBeUndefined();
    const fresh = body.data.refreshSession.token as string;
    expect(fresh).not.toBe(fx.learnerToken);
    expect((await gql(app.url, '{ me { user { name } } }', {}, fresh)).body.data.me.user.name).toBe(fx.learner.name);
  });
});

describe('schema.graphql', () => {
  it('is in sync with the Pothos schema (run "npm run schema" after changing the schema)', () => {
    expect(readFileSync(schemaFile, 'utf8')).toBe(printedSchema());
  });
});
