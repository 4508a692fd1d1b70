/**
 * Mentions written as "@Full Name" (issue 14, item 5): the pure matching, then through GraphQL on a real
 * PostgreSQL and Redis: a typed full name notifies; a name two members bear notifies neither and is reported;
 * the longest name wins; an edit that names someone new notifies them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, seed, startApp, type TestApp } from '../../test/harness.js';
import { addMember, code, courseRoomId, learnerOf, instructorOf, notificationCount, ok, sendOk, type Person } from '../../test/chat.js';
import { resolveMentionNames } from './mentions.js';

describe('resolveMentionNames', () => {
  const people = [
    { id: 'ana', name: 'Ana' },
    { id: 'ana-lopez', name: 'Ana López' },
    { id: 'alan1', name: 'Alan Turing' },
    { id: 'alan2', name: 'Alan Turing' },
    { id: 'zoe', name: 'Zoë Ærø' },
  ];

  it('matches full names with spaces, case-insensitively and Unicode-aware, the longest first', () => {
    expect(resolveMentionNames('hi @ana lópez and @ANA', people).ids).toEqual(['ana-lopez', 'ana']);
    expect(resolveMentionNames('@ZOË ÆRØ!', people).ids).toEqual(['zoe']);
    // Decomposed "ó" (o + U+0301) is the same name as the composed one.
    expect(resolveMentionNames('@Ana Lo\u0301pez', people).ids).toEqual(['ana-lopez']);
    expect(resolveMentionNames('@Ana   López, see', people).ids).toEqual(['ana-lopez']);
  });

  it('needs a word boundary on both sides, and skips code', () => {
    expect(resolveMentionNames('@Anabel and mail ana@Ana.org', people).ids).toEqual([]);
    expect(resolveMentionNames('(@Ana)', people).ids).toEqual(['ana']);
    expect(resolveMentionNames('`@Ana` and\n```\n@Ana López\n```', people).ids).toEqual([]);
  });

  it('reports a name two people bear, unless one of them was picked', () => {
    expect(resolveMentionNames('@alan turing look', people)).toEqual({ ids: [], ambiguous: ['alan turing'] });
    expect(resolveMentionNames('@Alan Turing look', people, new Set(['alan2']))).toEqual({ ids: ['alan2'], ambiguous: [] });
  });
});

const MESSAGE = `id body mentions { id name } ambiguousMentions`;
const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { ${MESSAGE} } }`;
const EDIT = `mutation($id: ID!, $body: String!) { editMessage(id: $id, body: $body) { ${MESSAGE} } }`;

describe('mentions by full name', () => {
  let app: TestApp;
  let roomId: string;
  let lee: Person;
  let ada: Person;
  let alan: Person;
  let alanToo: Person;
  let anaLopez: Person;
  let ana: Person;

  beforeAll(async () => {
    app = await startApp({ env: { CHAT_RATE_LIMIT: '1000000' } });
    const f = await seed(app.core, 'mention');
    lee = learnerOf(f);
    ada = instructorOf(f);
    alan = await addMember(app.core, f, 'Alan Turing');
    alanToo = await addMember(app.core, f, 'alan turing');
    ana = await addMember(app.core, f, 'Ana');
    anaLopez = await addMember(app.core, f, 'Ana López');
    roomId = await courseRoomId(app, lee.token, f.course.id);
  });
  afterAll(async () => {
    await app?.close();
  });

  const sendAs = async (p: Person, body: string, mentionIds?: string[]) =>
    ok(await gql(app.url, SEND, { input: { roomId, clientId: crypto.randomUUID(), body, ...(mentionIds ? { mentionIds } : {}) } }, p.token))
      .sendMessage;

  it('a full name typed in the text notifies that member', async () => {
    const before = await notificationCount(app, ada.user.id);
    const m = await sendAs(lee, `question for @${ada.user.name.toUpperCase()}: is it Friday?`);
    expect(m.mentions).toEqual([{ id: ada.user.id, name: ada.user.name }]);
    expect(m.ambiguousMentions).toEqual([]);
    expect(await notificationCount(app, ada.user.id)).toBe(before + 1);
    // Code is not prose: a name in a code message names nobody (ids picked are still checked).
    const c = await sendOk(app, lee.token, roomId, `@${ada.user.name}\ndef f(): pass`, { kind: 'CODE', language: 'python' });
    expect(c.mentions).toEqual([]);
    expect(await notificationCount(app, ada.user.id)).toBe(before + 1);
    expect(
      code(
        (await gql(app.url, SEND, { input: { roomId, clientId: crypto.randomUUID(), body: 'x', mentionIds: ['nope'] } }, lee.token)).body,
      ),
    ).toBe('BAD_USER_INPUT');
  });

  it('a name two members bear notifies neither and is reported; picking one by id resolves it', async () => {
    const before = [await notificationCount(app, alan.user.id), await notificationCount(app, alanToo.user.id)];
    const m = await sendAs(lee, 'Hello @Alan Turing');
    expect(m.mentions).toEqual([]);
    expect(m.ambiguousMentions).toEqual(['Alan Turing']);
    expect([await notificationCount(app, alan.user.id), await notificationCount(app, alanToo.user.id)]).toEqual(before);
    const picked = await sendAs(lee, 'Hello @Alan Turing', [alanToo.user.id]);
    expect(picked.mentions.map((p: { id: string }) => p.id)).toEqual([alanToo.user.id]);
    expect(picked.ambiguousMentions).toEqual([]);
    expect([await notificationCount(app, alan.user.id), await notificationCount(app, alanToo.user.id)]).toEqual([
      before[0],
      before[1]! + 1,
    ]);
  });

  it('a name that is the start of another resolves to the longest', async () => {
    const before = [await notificationCount(app, ana.user.id), await notificationCount(app, anaLopez.user.id)];
    const m = await sendAs(lee, 'thanks @Ana López!');
    expect(m.mentions.map((p: { id: string }) => p.id)).toEqual([anaLopez.user.id]);
    expect([await notificationCount(app, ana.user.id), await notificationCount(app, anaLopez.user.id)]).toEqual([
      before[0],
      before[1]! + 1,
    ]);
    const both = await sendAs(lee, '@Ana and @Ana López');
    expect(both.mentions.map((p: { id: string }) => p.id).sort()).toEqual([ana.user.id, anaLopez.user.id].sort());
  });

  it('an edit keeps the mentions still written, resolves new ones and notifies only the newly named', async () => {
    const m = await sendAs(lee, 'ping @Ana');
    const anaBefore = await notificationCount(app, ana.user.id);
    const adaBefore = await notificationCount(app, ada.user.id);
    const edited = ok(
      await gql(app.url, EDIT, { id: m.id, body: `ping @Ana and @${ada.user.name}, also @alan turing` }, lee.token),
    ).editMessage;
    expect(edited.mentions.map((p: { id: string }) => p.id).sort()).toEqual([ana.user.id, ada.user.id].sort());
    expect(edited.ambiguousMentions).toEqual(['alan turing']);
    expect(await notificationCount(app, ana.user.id)).toBe(anaBefore);
    expect(await notificationCount(app, ada.user.id)).toBe(adaBefore + 1);
    // Ana's name is gone from the text: so is her mention.
    const again = ok(await gql(app.url, EDIT, { id: m.id, body: `ping @${ada.user.name}` }, lee.token)).editMessage;
    expect(again.mentions.map((p: { id: string }) => p.id)).toEqual([ada.user.id]);
    expect(await notificationCount(app, ada.user.id)).toBe(adaBefore + 1);
  });
});
