/**
 * Typed streams (issue 13): a feature's events are a typed module, so an event or signal of the wrong shape does
 * not compile (the `@ts-expect-error` lines below are checked by `npm run typecheck`: each must be an error, or
 * tsc reports the directive unused), and a subscriber narrows the payload by `type` without a cast. At run time:
 * redaction, the realtime module's operation that erases a deleted message from the stored events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed, startApp, type Fixture, type TestApp } from '../../test/harness.js';
import { roomStream, type RoomEvent } from '../rooms/events.js';
import { userStream } from '../notifications/events.js';
import { courseStream } from '../courses/events.js';
import { presenceStream } from '../presence/events.js';
import { defineStream, type Delivery, type Emit, type Realtime, type StreamEvent } from './realtime.js';
import { readEvents } from './events.js';
import type { MessageView } from '../rooms/views.js';

/** Compiled, never run: what the compiler accepts and refuses. */
export function typeChecks(emit: Emit, realtime: Realtime, message: MessageView): void {
  const tenantId = 't';
  // Right shapes compile.
  void emit(roomStream('r'), { tenantId, type: 'message.edited', payload: { message } });
  void emit(courseStream('c'), { tenantId, type: 'member.removed', payload: { userId: 'u' } });
  void realtime.signal(roomStream('r'), { type: 'typing', payload: { userId: 'u', userName: 'Ada', typing: true, tenantId } }, 1000);

  // @ts-expect-error a payload of the wrong shape for its type
  void emit(roomStream('r'), { tenantId, type: 'members.changed', payload: { userId: 'u', change: 'promoted' } });
  // @ts-expect-error an event the stream does not carry (room events go on the room's stream, not the user's)
  void emit(userStream('u'), { tenantId, type: 'message.edited', payload: { message } });
  // @ts-expect-error an event type no stream has
  void emit(courseStream('c'), { tenantId, type: 'course.deleted', payload: {} });
  // @ts-expect-error a stream name written by hand is not a stream
  void emit('room:r', { tenantId, type: 'message.edited', payload: { message } });
  // @ts-expect-error a signal of the wrong shape
  void realtime.signal(roomStream('r'), { type: 'typing', payload: { userId: 'u' } }, 1000);
  // @ts-expect-error a stream without signals takes none
  void realtime.signal(courseStream('c'), { type: 'typing', payload: {} }, 1000);
  // @ts-expect-error presence has signals only: nothing is stored on it
  void emit(presenceStream('c'), { tenantId, type: 'presence', payload: { userId: 'u', state: 'online', version: 1, tenantId } });

  // A subscriber narrows by type: no cast.
  const seen = (d: Delivery<RoomEvent>): string | null => {
    if (d.kind !== 'event') return null;
    switch (d.event.type) {
      case 'members.changed':
        return d.event.payload.change;
      case 'room.updated':
        return d.event.payload.name;
      case 'announcement.changed':
        return d.event.payload.announcement?.message.body ?? null;
      default:
        return d.event.payload.message.body;
    }
  };
  void seen;
}

describe('typed streams', () => {
  let app: TestApp;
  let f: Fixture;
  beforeAll(async () => {
    app = await startApp();
    f = await seed(app.core, 'typed');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('defineStream names a stream kind:id, as stored events and Redis channels always named it', () => {
    expect(roomStream('abc')).toBe('room:abc');
    expect(userStream('u1')).toBe('user:u1');
    expect(courseStream('c1')).toBe('course:c1');
    expect(presenceStream('c1')).toBe('presence:c1');
  });

  it('redact erases the matching stored events of the streams it is given, from a seq on, and keeps their shape', async () => {
    type Ev = {
      type: 'test.msg';
      payload: { message: { id: string; body: string; tags: string[]; replyTo: { id: string; excerpt: string } | null } };
    };
    const kind = defineStream<Ev>('course');
    const a = kind(`${f.course.id}:redact-a`);
    const b = kind(`${f.course.id}:redact-b`);
    const { realtime, database } = app.core.services;
    const msg = (id: string, body: string, replyTo: string | null = null) => ({
      message: { id, body, tags: ['x'], replyTo: replyTo ? { id: replyTo, excerpt: 'quoted' } : null },
    });
    await realtime.write(async (_tx, emit) => {
      await emit(a, { tenantId: f.tenant.id, type: 'test.msg', payload: msg('m1', 'secret one') }); // 1
      await emit(a, { tenantId: f.tenant.id, type: 'test.msg', payload: msg('m2', 'keep me', 'm1') }); // 2
      await emit(a, { tenantId: f.tenant.id, type: 'test.msg', payload: msg('m1', 'secret edited') }); // 3
      await emit(b, { tenantId: f.tenant.id, type: 'test.msg', payload: msg('m1', 'other stream') }); // b 1
    });
    const changed = await realtime.write((tx) =>
      realtime.redact(tx, a, {
        fromSeq: 2,
        where: ['message', 'id'],
        equals: 'm1',
        set: [
          [['message', 'body'], ''],
          [['message', 'tags'], []],
        ],
      }),
    );
    expect(changed).toBe(1);
    const quoted = await realtime.write((tx) =>
      realtime.redact(tx, [a, b], { where: ['message', 'replyTo', 'id'], equals: 'm1', set: [[['message', 'replyTo', 'excerpt'], '']] }),
    );
    expect(quoted).toBe(1);
    const bodies = (evs: StreamEvent<Ev>[]) =>
      evs.map((e) => [e.seq, e.payload.message.id, e.payload.message.body, e.payload.message.tags, e.payload.message.replyTo]);
    expect(bodies(await readEvents(database.db, a, 0, 10))).toEqual([
      [1, 'm1', 'secret one', ['x'], null], // before fromSeq: untouched
      [2, 'm2', 'keep me', ['x'], { id: 'm1', excerpt: '' }],
      [3, 'm1', '', [], null],
    ]);
    expect(bodies(await readEvents(database.db, b, 0, 10))).toEqual([[1, 'm1', 'other stream', ['x'], null]]);
    // A path key that is not a plain name is refused, never spliced into SQL.
    await expect(
      realtime.write((tx) => realtime.redact(tx, a, { where: ['message', 'id'], equals: 'm1', set: [[['message', "body}'"], '']] })),
    ).rejects.toThrow(/invalid payload path/);
  });
});
