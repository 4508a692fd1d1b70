/**
 * Every mutation is rate limited per user and per API key (not only sendMessage): edits, reactions, typing and
 * read markers, over HTTP and over the WebSocket, and each mutation of the schema by default.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isAbstractType,
  type GraphQLInputType,
} from 'graphql';
import { gql, seed, startApp, wsClient, type Fixture, type TestApp } from '../../test/harness.js';
import {
  apiKeyOf,
  cid,
  code,
  courseRoomId,
  EDIT,
  instructorOf,
  learnerOf,
  MARK_READ,
  REACT,
  SEND,
  sendOk,
  TYPING,
  type GqlBody,
} from '../../test/chat.js';
import { schema } from './schema.js';
import { rateClassOf } from './ratelimit.js';

const WRITE = 5;
const SIGNAL = 4;
const READ_MARK = 3;
const COSTLY = 2;

describe('rate limits on every mutation', () => {
  let app: TestApp;
  let fx: Fixture;
  let roomId: string;

  beforeAll(async () => {
    app = await startApp({
      env: {
        RATE_LIMIT_WRITE: `${WRITE}/60`,
        RATE_LIMIT_SIGNAL: `${SIGNAL}/60`,
        RATE_LIMIT_READ_MARK: `${READ_MARK}/60`,
        RATE_LIMIT_COSTLY: `${COSTLY}/60`,
      },
    });
    fx = await seed(app.core);
    roomId = await courseRoomId(app, fx.learnerToken, fx.course.id);
  });
  afterAll(() => app?.close());

  /** Forgets every mutation count of a caller (`u:<userId>` or `k:<keyId>`). */
  const reset = (who: string) => app.core.redis.pub.del(...['write', 'signal', 'readMark', 'costly'].map((c) => `rl:m:${c}:${who}`));

  it('editMessage: after the limit, RATE_LIMITED with retryAfterMs, and the refused edit changes nothing', async () => {
    const me = learnerOf(fx);
    await reset(`u:${me.user.id}`);
    const m = await sendOk(app, me.token, roomId, 'original');
    const big = 'x'.repeat(7000);
    const results: GqlBody[] = [];
    for (let i = 0; i < WRITE + 3; i++) results.push((await gql(app.url, EDIT, { id: m.id, body: `${big} ${i}` }, me.token)).body);
    expect(results.slice(0, WRITE).map(code)).toEqual(Array(WRITE).fill(undefined));
    const refused = results.slice(WRITE);
    expect(refused.map(code)).toEqual(Array(3).fill('RATE_LIMITED'));
    expect(refused[0]!.errors![0]!.extensions!.retryAfterMs).toBeGreaterThan(0);
    expect(refused[0]!.errors![0]!.message).toMatch(/Too many changes/);
    const stored = await gql(
      app.url,
      `query($id: ID!) { room(id: $id) { messages(last: 5) { edges { node { id body } } } } }`,
      { id: roomId },
      me.token,
    );
    const node = (stored.body.data.room.messages.edges as { node: { id: string; body: string } }[]).find((e) => e.node.id === m.id)!.node;
    expect(node.body).toBe(`${big} ${WRITE - 1}`);
  });

  it('reactions count with edits (writes); typing and read markers have their own classes', async () => {
    const me = learnerOf(fx);
    await reset(`u:${me.user.id}`);
    const m = await sendOk(app, me.token, roomId, 'react to me');
    const reacts = [];
    for (let i = 0; i < WRITE + 1; i++)
      reacts.push(code((await gql(app.url, REACT, { messageId: m.id, emoji: '👍', on: i % 2 === 0 }, me.token)).body));
    expect(reacts).toEqual([...Array(WRITE).fill(undefined), 'RATE_LIMITED']);
    const typing = [];
    for (let i = 0; i < SIGNAL + 1; i++) typing.push(code((await gql(app.url, TYPING, { roomId, typing: true }, me.token)).body));
    expect(typing).toEqual([...Array(SIGNAL).fill(undefined), 'RATE_LIMITED']);
    const marks = [];
    for (let i = 0; i < READ_MARK + 1; i++) marks.push(code((await gql(app.url, MARK_READ, { roomId, seq: m.seq }, me.token)).body));
    expect(marks).toEqual([...Array(READ_MARK).fill(undefined), 'RATE_LIMITED']);
  });

  it('aliases count each field; the WebSocket counts against the same limit as HTTP', async () => {
    const me = learnerOf(fx);
    await reset(`u:${me.user.id}`);
    const aliased = `mutation($roomId: ID!) { ${Array.from({ length: SIGNAL + 1 }, (_, i) => `t${i}: setTyping(roomId: $roomId, typing: true)`).join(' ')} }`;
    const r = await gql(app.url, aliased, { roomId }, me.token);
    expect(code(r.body)).toBe('RATE_LIMITED');
    expect(r.body.data ?? null).toBeNull();
    await reset(`u:${me.user.id}`);
    for (let i = 0; i < SIGNAL; i++) expect(code((await gql(app.url, TYPING, { roomId, typing: true }, me.token)).body)).toBeUndefined();
    const { client } = wsClient(app.wsUrl, me.token);
    try {
      const res = await new Promise<{ errors?: readonly { extensions?: Record<string, unknown> }[] }>((resolve, reject) => {
        let got: { errors?: readonly { extensions?: Record<string, unknown> }[] } = {};
        client.subscribe(
          { query: TYPING, variables: { roomId, typing: false } },
          { next: (v) => void (got = v as typeof got), error: reject, complete: () => resolve(got) },
        );
      });
      expect(res.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    } finally {
      await client.dispose();
    }
  });

  it('limits an API key by itself, apart from its owner', async () => {
    const secret = await apiKeyOf(app.core, fx, ['read', 'write']);
    const viewer = await app.core.services.auth.authenticate(`Bearer ${secret}`);
    if (viewer?.kind !== 'apiKey') throw new Error('not an API key');
    await reset(`k:${viewer.keyId}`);
    const m = await sendOk(app, fx.instructorToken, roomId, 'for the key');
    const reacts = [];
    for (let i = 0; i < WRITE + 1; i++)
      reacts.push(code((await gql(app.url, REACT, { messageId: m.id, emoji: '🎉', on: i % 2 === 0 }, secret)).body));
    expect(reacts.at(-1)).toBe('RATE_LIMITED');
    expect(reacts.slice(0, WRITE)).not.toContain('RATE_LIMITED');
  });

  it('announcements notify the whole course, so they are costly: sent with sendMessage or pinned, one budget', async () => {
    const inst = instructorOf(fx);
    await reset(`u:${inst.user.id}`);
    await app.core.redis.pub.del(`rl:chat:${inst.user.id}`);
    const plain = await sendOk(app, inst.token, roomId, 'to pin later');
    const announced = [];
    for (let i = 0; i < COSTLY; i++) announced.push(await sendOk(app, inst.token, roomId, `announcement ${i}`, { announce: true }));
    const refused = await gql(app.url, SEND, { input: { roomId, clientId: cid(), body: 'one too many', announce: true } }, inst.token);
    expect(code(refused.body)).toBe('RATE_LIMITED');
    expect((refused.body as GqlBody).errors![0]!.extensions!.retryAfterMs).toBeGreaterThan(0);
    const pin = await gql(app.url, `mutation($m: ID!) { pinAnnouncement(messageId: $m) { id } }`, { m: plain.id }, inst.token);
    expect(code(pin.body)).toBe('RATE_LIMITED');
    // Nothing of the refused ones happened: the last announcement stands, and the refused text was not stored.
    const room = await gql(
      app.url,
      `query($id: ID!) { room(id: $id) { announcement { message { id } } messages(last: 5) { edges { node { body } } } } }`,
      { id: roomId },
      inst.token,
    );
    expect(room.body.data.room.announcement.message.id).toBe(announced.at(-1)!.id);
    expect(room.body.data.room.messages.edges.map((e: { node: { body: string } }) => e.node.body)).not.toContain('one too many');
    // An ordinary message is not held by it, and the refused announcement gave its chat use back.
    expect((await sendOk(app, inst.token, roomId, 'an ordinary message')).body).toBe('an ordinary message');
  });

  /** A literal for an argument of this type: enough to reach execution (validation passes); the resolver may refuse it. */
  function literal(type: GraphQLInputType): string {
    if (isNonNullType(type)) return literal(type.ofType as GraphQLInputType);
    if (isListType(type)) return `[${literal(type.ofType as GraphQLInputType)}]`;
    if (isEnumType(type)) return type.getValues()[0]!.name;
    if (isInputObjectType(type)) {
      const fields = Object.values(type.getFields()).filter((f) => isNonNullType(f.type));
      return `{ ${fields.map((f) => `${f.name}: ${literal(f.type)}`).join(', ')} }`;
    }
    const name = getNamedType(type).name;
    if (name === 'Int' || name === 'Float') return '1';
    if (name === 'Boolean') return 'true';
    if (name === 'DateTime') return '"2030-01-01T00:00:00.000Z"';
    if (name === 'JSON') return '{}';
    if (name === 'ID') return '"00000000-0000-4000-8000-000000000000"';
    return '"x"';
  }

  it('every mutation of the schema is limited (a new one is in the write class by default)', async () => {
    const me = learnerOf(fx);
    const limits: Record<string, number> = { write: WRITE, signal: SIGNAL, readMark: READ_MARK, costly: COSTLY };
    const fields = Object.values(schema.getMutationType()!.getFields());
    expect(fields.length).toBeGreaterThan(20);
    const unlimited: string[] = [];
    for (const f of fields) {
      const c = rateClassOf(f.name);
      if (c === 'own') continue; // sendMessage: its service's limit (rooms tests)
      const args = f.args.filter((a) => isNonNullType(a.type)).map((a) => `${a.name}: ${literal(a.type)}`);
      const ret = getNullableType(getNamedType(f.type));
      const selection = isObjectType(ret) || isAbstractType(ret) ? ' { __typename }' : '';
      const doc = `mutation { ${f.name}${args.length ? `(${args.join(', ')})` : ''}${selection} }`;
      await reset(`u:${me.user.id}`);
      let last: GqlBody | null = null;
      for (let i = 0; i <= limits[c]!; i++) last = (await gql(app.url, doc, {}, me.token)).body;
      if (code(last!) !== 'RATE_LIMITED') unlimited.push(`${f.name}: ${JSON.stringify(last!.errors?.[0] ?? last!.data)}`);
    }
    expect(unlimited).toEqual([]);
  });
});
