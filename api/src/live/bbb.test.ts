/**
 * BigBlueButton against a stand-in speaking its API and checking its checksums: the client's checksums (sha1 and
 * sha256), a wrong secret refused (BBB_UNAVAILABLE, checksumError), roles in join URLs, recordings listed, a server
 * that does not answer; and through the app: a host's start creates the meeting, the host joins as MODERATOR and a
 * learner as VIEWER (with their names), the end ends it, and the ended class lists its recordings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, seed, startApp, type TestApp } from '../../test/harness.js';
import { addMember, code, instructorOf, learnerOf, ok } from '../../test/chat.js';
import { startBbbStandIn, type BbbStandIn } from '../../test/bbb-stand-in.js';
import { BbbClient } from './bbb.js';
import type { AppError } from '../errors.js';

const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    return { code: (err as AppError).code, messageKey: (err as AppError).extensions.messageKey };
  }
  throw new Error('expected a failure');
};

describe('BigBlueButton client against the stand-in', () => {
  let bbb: BbbStandIn;
  beforeAll(async () => {
    bbb = await startBbbStandIn();
  });
  afterAll(async () => {
    await bbb?.close();
  });

  it('creates, joins with roles, lists recordings and ends, every checksum accepted', async () => {
    const client = new BbbClient({ url: bbb.url, secret: bbb.secret });
    await client.create({ meetingId: 'm-1', name: 'Week 3: recursion & loops', logoutUrl: 'https://tool.example.edu' });
    expect(await client.isMeetingRunning('m-1')).toBe(true);
    const create = bbb.calls.find((c) => c.call === 'create')!;
    expect(create).toMatchObject({ valid: true, params: { meetingID: 'm-1', name: 'Week 3: recursion & loops', record: 'true' } });
    expect(create.params.moderatorPW).not.toBe(create.params.attendeePW);

    for (const [role, name] of [
      ['MODERATOR', 'Ada Instructor'],
      ['VIEWER', 'Zoë Ünicode + Co'],
    ] as const) {
      const res = await fetch(client.joinUrl({ meetingId: 'm-1', fullName: name, userId: `u-${role}`, role }), { redirect: 'manual' });
      expect(res.status).toBe(302);
    }
    const joins = bbb.calls.filter((c) => c.call === 'join');
    expect(joins.map((j) => [j.valid, j.params.role, j.params.fullName, j.params.userID, j.params.redirect])).toEqual([
      [true, 'MODERATOR', 'Ada Instructor', 'u-MODERATOR', 'true'],
      [true, 'VIEWER', 'Zoë Ünicode + Co', 'u-VIEWER', 'true'],
    ]);

    expect(await client.getRecordings('m-1')).toEqual([]);
    bbb.recordings.set('m-1', [
      { recordID: 'r-2', url: 'https://bbb.example.edu/playback/r-2', startTime: 2_000_000, endTime: 2_600_000, length: 10 },
      { recordID: 'r-1', url: 'https://bbb.example.edu/playback/r-1', startTime: 1_000_000, endTime: 1_900_000, length: 15 },
    ]);
    const recs = await client.getRecordings('m-1');
    expect(recs.map((r) => [r.id, r.url, r.minutes, r.startedAt?.getTime()])).toEqual([
      ['r-1', 'https://bbb.example.edu/playback/r-1', 15, 1_000_000],
      ['r-2', 'https://bbb.example.edu/playback/r-2', 10, 2_000_000],
    ]);

    await client.end('m-1');
    expect(await client.isMeetingRunning('m-1')).toBe(false);
    // Ending a meeting BBB no longer knows is not an error.
    await client.end('m-1');
    expect(bbb.calls.every((c) => c.valid)).toBe(true);
  });

  it('sha256 checksums where the server uses them', async () => {
    const s256 = await startBbbStandIn({ algorithm: 'sha256' });
    try {
      await new BbbClient({ url: s256.url, secret: s256.secret, algorithm: 'sha256' }).create({ meetingId: 'm-256', name: 'x' });
      expect(s256.calls.map((c) => c.valid)).toEqual([true]);
      // A sha1 client is refused by a sha256 server.
      expect(await failure(new BbbClient({ url: s256.url, secret: s256.secret }).create({ meetingId: 'm-256', name: 'x' }))).toEqual({
        code: 'BBB_UNAVAILABLE',
        messageKey: 'checksumError',
      });
    } finally {
      await s256.close();
    }
  });

  it('a wrong secret is refused (BBB_UNAVAILABLE with checksumError); a server that does not answer is BBB_UNAVAILABLE', async () => {
    const wrong = new BbbClient({ url: bbb.url, secret: 'not-the-secret' });
    expect(await failure(wrong.create({ meetingId: 'm-x', name: 'x' }))).toEqual({ code: 'BBB_UNAVAILABLE', messageKey: 'checksumError' });
    expect(bbb.running.has('m-x')).toBe(false);
    expect(bbb.calls.at(-1)).toMatchObject({ call: 'create', valid: false });

    const down = await startBbbStandIn();
    const url = down.url;
    await down.close();
    expect(await failure(new BbbClient({ url, secret: down.secret, timeoutMs: 2000 }).isMeetingRunning('m'))).toEqual({
      code: 'BBB_UNAVAILABLE',
      messageKey: 'unreachable',
    });
  });
});

describe('BigBlueButton classes through the app', () => {
  let bbb: BbbStandIn;
  let app: TestApp;
  beforeAll(async () => {
    bbb = await startBbbStandIn();
    app = await startApp({ env: { BBB_URL: bbb.url, BBB_SECRET: bbb.secret, RATE_LIMIT_WRITE: '100000/10' } });
  });
  afterAll(async () => {
    await app?.close();
    await bbb?.close();
  });

  const CLASS = `id state provider meetingUrl recordings { id url minutes startedAt }`;
  const CREATE = `mutation($courseId: ID!, $input: LiveClassInput!) { createLiveClass(courseId: $courseId, input: $input) { ${CLASS} } }`;
  const START = `mutation($id: ID!) { startLiveClass(id: $id) { ${CLASS} } }`;
  const END = `mutation($id: ID!) { endLiveClass(id: $id) { ${CLASS} } }`;
  const JOIN = `mutation($id: ID!) { joinLiveClass(id: $id) { meetingUrl liveClass { id joined canHost } } }`;
  const ONE = `query($id: ID!) { liveClass(id: $id) { ${CLASS} } }`;

  it('start creates the meeting; hosts join as MODERATOR, learners as VIEWER; end ends it; recordings listed', async () => {
    const f = await seed(app.core, 'bbb');
    const inst = instructorOf(f);
    const lee = learnerOf(f);
    const ta = await addMember(app.core, f, 'Tom Assistant', ['teaching_assistant']);
    const q = (query: string, variables: Record<string, unknown>, token: string) => gql(app.url, query, variables, token);
    const input = { title: 'Seminar', startsAt: '2030-05-01T10:00:00Z', endsAt: '2030-05-01T11:00:00Z', provider: 'BIGBLUEBUTTON' };
    const cls = ok(await q(CREATE, { courseId: f.course.id, input }, inst.token)).createLiveClass;
    expect(cls).toMatchObject({ state: 'SCHEDULED', provider: 'BIGBLUEBUTTON', meetingUrl: null, recordings: [] });

    const creates = () => bbb.calls.filter((c) => c.call === 'create').length;
    ok(await q(START, { id: cls.id }, inst.token));
    expect(creates()).toBe(1);
    const meetingId = bbb.calls.find((c) => c.call === 'create')!.params.meetingID!;
    expect(bbb.running.has(meetingId)).toBe(true);

    const hostJoin = ok(await q(JOIN, { id: cls.id }, inst.token)).joinLiveClass;
    const taJoin = ok(await q(JOIN, { id: cls.id }, ta.token)).joinLiveClass;
    const leeJoin = ok(await q(JOIN, { id: cls.id }, lee.token)).joinLiveClass;
    for (const j of [hostJoin, taJoin, leeJoin]) {
      const res = await fetch(j.meetingUrl as string, { redirect: 'manual' });
      expect(res.status).toBe(302);
    }
    const joins = bbb.calls.filter((c) => c.call === 'join');
    expect(joins.map((j) => [j.valid, j.params.role, j.params.fullName, j.params.userID])).toEqual([
      [true, 'MODERATOR', inst.user.name, inst.user.id],
      [true, 'MODERATOR', 'Tom Assistant', ta.user.id],
      [true, 'VIEWER', lee.user.name, lee.user.id],
    ]);

    const ended = ok(await q(END, { id: cls.id }, inst.token)).endLiveClass;
    expect(ended.state).toBe('ENDED');
    expect(bbb.running.has(meetingId)).toBe(false);
    expect(bbb.calls.filter((c) => c.call === 'end').map((c) => c.valid)).toEqual([true]);

    bbb.recordings.set(meetingId, [
      {
        recordID: 'rec-1',
        url: 'https://bbb.example.edu/playback/rec-1',
        startTime: 1_900_000_000_000,
        endTime: 1_900_003_000_000,
        length: 50,
      },
    ]);
    const read = ok(await q(ONE, { id: cls.id }, lee.token)).liveClass;
    expect(read.recordings).toEqual([
      { id: 'rec-1', url: 'https://bbb.example.edu/playback/rec-1', minutes: 50, startedAt: new Date(1_900_000_000_000).toISOString() },
    ]);
    expect(bbb.calls.every((c) => c.valid)).toBe(true);
  });

  it('BBB down at start: BBB_UNAVAILABLE and the class stays scheduled', async () => {
    const f = await seed(app.core, 'bbb-down');
    const inst = instructorOf(f);
    const q = (query: string, variables: Record<string, unknown>, token: string) => gql(app.url, query, variables, token);
    const input = { title: 'Seminar', startsAt: '2030-05-01T10:00:00Z', endsAt: '2030-05-01T11:00:00Z', provider: 'BIGBLUEBUTTON' };
    const cls = ok(await q(CREATE, { courseId: f.course.id, input }, inst.token)).createLiveClass;
    // The server goes away (this is the last test of the suite that needs it).
    await bbb.close();
    const r = await q(START, { id: cls.id }, inst.token);
    expect(code(r.body)).toBe('BBB_UNAVAILABLE');
    expect(r.body.errors![0]!.extensions).toMatchObject({ messageKey: 'unreachable' });
    expect(ok(await q(ONE, { id: cls.id }, inst.token)).liveClass.state).toBe('SCHEDULED');
  });
});
