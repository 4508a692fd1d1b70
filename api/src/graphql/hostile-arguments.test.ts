/**
 * Every text argument of every query and mutation, whatever it holds, answers with a stable code: a NUL, a lone
 * surrogate, or tens of kilobytes of random text (too long for a database index unless something bounds it) is the
 * caller's error or is accepted, never INTERNAL_SERVER_ERROR. The other arguments get real ids of the caller's course,
 * room and message, so that the text is reached and not refused before it; a new field is covered when it is added.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  getNamedType,
  getNullableType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLInputType,
} from 'graphql';
import { gql, seed, startApp, type Fixture, type TestApp } from '../../test/harness.js';
import { courseRoomId, sendOk } from '../../test/chat.js';
import { schema } from './schema.js';

const HOSTILE: [string, string][] = [
  ['NUL', 'a\u0000b'],
  ['lone surrogate', 'a\ud800b'],
  ['60 KB of random text', randomBytes(30_000).toString('hex')],
];

describe('hostile text in any argument', () => {
  let app: TestApp;
  let fx: Fixture;
  let roomId: string;
  let message: { id: string; seq: string };
  let adminKey: string;

  beforeAll(async () => {
    const many = '1000000/60';
    app = await startApp({
      env: {
        RATE_LIMIT_WRITE: many,
        RATE_LIMIT_SIGNAL: many,
        RATE_LIMIT_READ_MARK: many,
        RATE_LIMIT_COSTLY: many,
        CHAT_RATE_LIMIT: '1000000',
      },
    });
    fx = await seed(app.core);
    roomId = await courseRoomId(app, fx.instructorToken, fx.course.id);
    message = (await sendOk(app, fx.instructorToken, roomId, 'hello')) as unknown as { id: string; seq: string };
    adminKey = (await app.core.services.apiKeys.createInstallationAdminKey('ops')).secret;
  });
  afterAll(() => app?.close());

  /** A valid value for an argument, by its name and type: real ids where the name says what it is. */
  function valid(field: string, arg: string, type: GraphQLInputType): unknown {
    const t = getNullableType(type) as GraphQLInputType;
    if (isListType(t)) return [valid(field, arg, t.ofType as GraphQLInputType)];
    if (isEnumType(t)) return t.getValues()[0]!.name;
    if (isInputObjectType(t))
      return Object.fromEntries(
        Object.values(t.getFields())
          .filter((f) => isNonNullType(f.type))
          .map((f) => [f.name, valid(field, f.name, f.type)]),
      );
    const name = getNamedType(t).name;
    if (name === 'Int' || name === 'Float') return 1;
    if (name === 'Boolean') return true;
    if (name === 'DateTime') return '2030-01-01T00:00:00.000Z';
    const byName: Record<string, unknown> = {
      courseId: fx.course.id,
      roomId,
      messageId: message.id,
      userId: fx.learner.id,
      userIds: fx.learner.id,
      memberIds: fx.learner.id,
      seq: message.seq,
      emoji: '👍',
      clientId: randomUUID(),
      tabId: randomUUID(),
    };
    if (arg in byName) return byName[arg];
    if (arg === 'id')
      return /Message/.test(field) ? message.id : /[Rr]oom/.test(field) ? roomId : /[Cc]ourse/.test(field) ? fx.course.id : randomUUID();
    if (/Url|Endpoint|issuer/.test(arg)) return 'https://lms.example.edu/x';
    if (name === 'ID') return randomUUID();
    return 'x';
  }

  /** Paths (argument, then input fields and list items) to every String and ID an argument holds. */
  function textSlots(type: GraphQLInputType, path: string[], out: string[][] = []): string[][] {
    const t = getNullableType(type) as GraphQLInputType;
    if (isListType(t)) textSlots(t.ofType as GraphQLInputType, [...path, '0'], out);
    else if (isInputObjectType(t)) for (const f of Object.values(t.getFields())) textSlots(f.type, [...path, f.name], out);
    else if (['String', 'ID'].includes(getNamedType(t).name)) out.push(path);
    return out;
  }

  function setAt(target: Record<string, unknown>, path: string[], value: unknown) {
    let at = target as Record<string, unknown> | unknown[];
    for (const [i, key] of path.slice(0, -1).entries()) {
      const list = /^\d+$/.test(path[i + 1]!);
      const holder = at as Record<string, unknown>;
      holder[key] ??= list ? [] : {};
      if (list && (holder[key] as unknown[]).length === 0) (holder[key] as unknown[]).push(/^\d+$/.test(path[i + 2] ?? '') ? [] : {});
      at = holder[key] as Record<string, unknown>;
    }
    (at as Record<string, unknown>)[path.at(-1)!] = value;
  }

  it('answers every query and mutation with a code, never INTERNAL_SERVER_ERROR', async () => {
    const failures: string[] = [];
    let tried = 0;
    for (const [op, root] of [
      ['query', schema.getQueryType()!],
      ['mutation', schema.getMutationType()!],
    ] as const) {
      for (const f of Object.values(root.getFields())) {
        const ret = getNullableType(getNamedType(f.type));
        const selection = isObjectType(ret) || isAbstractType(ret) ? ' { __typename }' : '';
        const doc = `${op}(${f.args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ')}) { ${f.name}(${f.args
          .map((a) => `${a.name}: $${a.name}`)
          .join(', ')})${selection} }`;
        const token = ['registerPlatform', 'setPlatformStatus'].includes(f.name) ? adminKey : fx.instructorToken;
        for (const slot of f.args.flatMap((a) => textSlots(a.type, [a.name]))) {
          for (const [what, text] of HOSTILE) {
            const variables: Record<string, unknown> = {};
            for (const a of f.args) if (isNonNullType(a.type)) variables[a.name] = valid(f.name, a.name, a.type);
            setAt(variables, slot, text);
            const r = await gql(app.url, doc, variables, token);
            tried++;
            const codes = (r.body.errors ?? []).map((e) => e.extensions?.code);
            if (r.status >= 500 || codes.some((c) => !c || c === 'INTERNAL_SERVER_ERROR'))
              failures.push(`${f.name}(${slot.join('.')}) with ${what}: ${r.status} ${r.body.errors?.[0]?.message}`);
          }
        }
      }
    }
    expect(tried).toBeGreaterThan(100);
    expect(failures).toEqual([]);
  });
});
