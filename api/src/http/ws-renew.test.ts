/**
 * Renewing a session on an open WebSocket (issue 14, item 1): a `ping` carrying a renewed token moves the socket's
 * expiry, so the socket and its subscriptions carry on past the first token's expiry. The token is verified by the
 * server (same user and course); anything else is refused and the socket keeps its credential. Renewal itself
 * (refreshSession) is refused, with the reason, for someone no longer in the course.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, poll, seed, startApp, type Fixture, type TestApp } from '../../test/harness.js';
import { RawSocket as Raw } from '../../test/raw-ws.js';
import { courseRoomId, sendOk } from '../../test/chat.js';

const ROOM = `subscription($roomId: ID!) { roomEvents(roomId: $roomId) { type message { body } } }`;

describe('renewing a session on an open WebSocket', () => {
  let app: TestApp;
  let fx: Fixture;
  let roomId: string;
  const raws: Raw[] = [];

  beforeAll(async () => {
    app = await startApp();
    fx = await seed(app.core);
    roomId = await courseRoomId(app, fx.learnerToken, fx.course.id);
  });
  afterAll(async () => {
    for (const r of raws) r.ws.terminate();
    await app?.close();
  });

  const open = async (token: string) => {
    const r = await Raw.open(app.wsUrl, token);
    raws.push(r);
    return r;
  };
  /** A learner's session token that expires in a few seconds. */
  const shortToken = () =>
    app.core.services.sessions.issue({ tenantId: fx.tenant.id, userId: fx.learner.id, courseId: fx.course.id, roles: ['learner'] }, 3);

  it('a socket renewed with a fresh token carries on past the first token’s expiry, its subscription live', async () => {
    const short = await shortToken();
    const renewed = await open(short);
    const control = await open(short); // same token, never renewed
    expect(renewed.acked && control.acked).toBe(true);
    renewed.send({ id: 's1', type: 'subscribe', payload: { query: ROOM, variables: { roomId } } });

    const { token: fresh } = (await gql(app.url, 'mutation { refreshSession { token expiresAt } }', {}, short)).body.data.refreshSession;
    const pong = await renewed.renew(fresh);
    expect(pong).toMatchObject({ renewed: true });
    expect(Date.parse(pong.expiresAt)).toBeGreaterThan(Date.now() + 60_000);

    // The first token has expired once the control socket is closed for it.
    await poll(
      () => control.closed !== null,
      20_000,
      () => 'the control socket did not close',
    );
    expect(control.closed!.code).toBe(4401);

    await sendOk(app, fx.instructorToken, roomId, 'after the first expiry');
    await poll(
      () =>
        renewed.of('next', 's1').some((f) => f.payload?.data?.roomEvents?.message?.body === 'after the first expiry') ||
        renewed.closed !== null,
      20_000,
      () => `no message; frames ${JSON.stringify(renewed.frames)}`,
    );
    expect(renewed.closed).toBeNull();
    expect(renewed.of('next', 's1').filter((f) => f.payload?.data?.roomEvents?.message?.body === 'after the first expiry')).toHaveLength(1);
    // New operations on the socket run as the renewed session too.
    renewed.send({ id: 'q1', type: 'subscribe', payload: { query: '{ me { user { name } } }' } });
    await poll(
      () => renewed.of('next', 'q1').length > 0,
      20_000,
      () => 'no answer to the query',
    );
    expect(renewed.of('next', 'q1')[0]!.payload).toEqual({ data: { me: { user: { name: fx.learner.name } } } });
  });

  it('refuses another user’s token or a forged one; the socket keeps its credential and still expires', async () => {
    const short = await shortToken();
    const r = await open(short);
    expect(await r.renew(fx.instructorToken)).toMatchObject({ renewed: false, code: 'FORBIDDEN' });
    const forged = fx.learnerToken.slice(0, -4) + (fx.learnerToken.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(await r.renew(forged)).toMatchObject({ renewed: false, code: 'UNAUTHENTICATED' });
    expect(r.closed).toBeNull();
    await poll(
      () => r.closed !== null,
      20_000,
      () => 'the socket outlived its token',
    );
    expect(r.closed!.code).toBe(4401);
  });

  it('a plain ping is still answered with a pong echoing its payload', async () => {
    const r = await open(fx.learnerToken);
    r.send({ type: 'ping', payload: { hello: 1 } });
    await poll(
      () => r.of('pong').length > 0,
      20_000,
      () => 'no pong',
    );
    expect(r.of('pong')[0]!.payload).toEqual({ hello: 1 });
  });

  it('refreshSession is refused with the reason for someone no longer in the course', async () => {
    const f = await seed(app.core, 'R');
    await app.core.services.courses.removeMembership(f.tenant.id, f.course.id, f.learner.id);
    const { body } = await gql(app.url, 'mutation { refreshSession { token expiresAt } }', {}, f.learnerToken);
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(body.errors?.[0]?.message).toMatch(/no longer a member of this course/);
  });
});
