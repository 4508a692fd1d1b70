/**
 * examples/follow-room.mjs, the integrator guide's runnable example, as an integrator runs it: a real child process
 * with an API key, against a started app. It must list the course's rooms, print a message posted while it
 * follows, and after its sockets are closed by the server reconnect and resume from its last cursor: the next
 * message printed once, the earlier one not again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, poll, seed, startApp, type Fixture, type TestApp } from '../api/test/harness.js';

const root = path.resolve(import.meta.dirname, '..');

describe('examples/follow-room.mjs', () => {
  let app: TestApp;
  let fx: Fixture;
  let child: ChildProcess | null = null;
  beforeAll(async () => {
    app = await startApp();
    fx = await seed(app.core);
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await app?.close();
  });

  const data = (r: { body: { data?: any; errors?: unknown } }) => {
    expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
    return r.body.data;
  };
  const post = async (roomId: string, body: string) =>
    data(
      await gql(
        app.url,
        `mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }`,
        { i: { roomId, body, clientId: randomUUID() } },
        fx.learnerToken,
      ),
    );
  const count = (text: string, needle: string) => text.split(needle).length - 1;

  it('lists the rooms, follows the course room live, and resumes after a disconnect with nothing missed or repeated', async () => {
    // The key an instructor creates from their session, as docs/integrators.md says.
    const created = data(
      await gql(
        app.url,
        `mutation { createApiKey(input: { name: "follow-room example", scopes: [READ] }) { secret } }`,
        {},
        fx.instructorToken,
      ),
    );
    const secret: string = created.createApiKey.secret;
    const rooms = data(await gql(app.url, `query($id: ID!) { course(id: $id) { rooms { id kind } } }`, { id: fx.course.id }, secret));
    const courseRoom: string = rooms.course.rooms.find((r: { kind: string }) => r.kind === 'COURSE').id;

    let out = '';
    let err = '';
    child = spawn(process.execPath, ['examples/follow-room.mjs', '--url', app.url, '--course', fx.course.id], {
      cwd: root,
      env: { ...process.env, LT_API_KEY: secret },
    });
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
    const seen = (cond: () => boolean, what: string) =>
      poll(
        () => cond() || child!.exitCode !== null,
        20_000,
        () => `${what}\nstdout:\n${out}\nstderr:\n${err}`,
      );

    // The room list is read (and with it the cursor to follow from) before the first message is posted.
    await seen(() => err.includes('following "Course A" from cursor'), 'the example did not start following');
    expect(out).toMatch(/^Course A: 1 room\(s\) this key can read\n\s+COURSE\s+Course A\s+\(id [0-9a-f-]{36}, at \d+\)/);

    await post(courseRoom, 'first message, live');
    await seen(() => out.includes('Lee Learner A: first message, live'), 'the live message was not printed');

    // The server closes every socket (as an instance draining does); the example reconnects with its last cursor.
    app.api.disconnectAll();
    await seen(
      () => /disconnected \(1012[^)]*\); reconnecting in [\d.]+ s from cursor [1-9]\d*/.test(err),
      'the disconnect was not noticed',
    );
    await post(courseRoom, 'second message, after the disconnect');
    await seen(() => out.includes('second message, after the disconnect'), 'the message after the disconnect was not printed');
    // A last message in the same stream: once it is printed, anything replayed twice before it would be too.
    await post(courseRoom, 'third message, the last');
    await seen(() => out.includes('third message, the last'), 'the last message was not printed');

    expect(child.exitCode, err).toBeNull();
    expect(count(out, 'first message, live')).toBe(1);
    expect(count(out, 'second message, after the disconnect')).toBe(1);
    expect(count(out, 'third message, the last')).toBe(1);
    expect(count(err, 'following "Course A" from cursor')).toBeGreaterThanOrEqual(2);
  }, 90_000);
});
