import { describe, expect, it } from 'vitest';
import { getPlatformData, type PlatformListener, type PlatformTransport } from './platform-storage';

const LMS = 'https://lms.example';
const KEY = 'lt.bind.state-1';

interface Posted {
  message: Record<string, unknown>;
  targetOrigin: string;
}

/** A fake platform window: records what the tool posts, lets the test answer, and runs a manual clock. */
function fakePlatform(options: { onPost?: (posted: Posted, platform: ReturnType<typeof fakePlatform>) => void } = {}) {
  const posted: Posted[] = [];
  const listeners = new Set<PlatformListener>();
  const timers: { at: number; callback: () => void; cancelled: boolean }[] = [];
  let now = 0;

  const platform = {
    posted,
    listeners,
    /** Deliver a message to the tool's window. */
    send(origin: string, data: unknown) {
      for (const listener of [...listeners]) listener({ origin, data });
    },
    /** Move the clock on, firing due timers. */
    advance(ms: number) {
      now += ms;
      for (const timer of timers) {
        if (!timer.cancelled && timer.at <= now) {
          timer.cancelled = true;
          timer.callback();
        }
      }
    },
    transport: {
      post(message, targetOrigin) {
        const entry = { message, targetOrigin };
        posted.push(entry);
        options.onPost?.(entry, platform);
      },
      addListener: (listener) => void listeners.add(listener),
      removeListener: (listener) => void listeners.delete(listener),
      setTimeout(callback, ms) {
        const timer = { at: now + ms, callback, cancelled: false };
        timers.push(timer);
        return timer;
      },
      clearTimeout(handle) {
        (handle as { cancelled: boolean }).cancelled = true;
      },
    } satisfies PlatformTransport,
  };
  return platform;
}

/** Lets pending promise callbacks run (the client posts get_data after awaiting capabilities). */
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

let counter = 0;
const newId = () => `m${++counter}`;

const capabilities = (messageId: unknown, subjects: string[]) => ({
  subject: 'lti.capabilities.response',
  message_id: messageId,
  supported_messages: subjects.map((subject) => ({ subject })),
});

describe('getPlatformData', () => {
  it('asks for capabilities, then gets the value from the platform origin', async () => {
    const platform = fakePlatform({
      onPost({ message }, p) {
        if (message['subject'] === 'lti.capabilities') {
          p.send(LMS, capabilities(message['message_id'], ['lti.put_data', 'lti.get_data']));
        } else if (message['subject'] === 'lti.get_data') {
          p.send(LMS, { subject: 'lti.get_data.response', message_id: message['message_id'], key: message['key'], value: 'secret' });
        }
      },
    });
    const result = await getPlatformData(platform.transport, { origin: LMS, key: KEY, newId });
    expect(result).toEqual({ ok: true, value: 'secret' });
    expect(platform.posted.map((p) => p.message['subject'])).toEqual(['lti.capabilities', 'lti.get_data']);
    expect(platform.posted.every((p) => p.targetOrigin === LMS)).toBe(true);
    expect(platform.posted[1]?.message).toMatchObject({ key: KEY });
    expect(platform.posted[0]?.message['message_id']).not.toBe(platform.posted[1]?.message['message_id']);
    expect(platform.listeners.size).toBe(0);
  });

  it('reports "unsupported" without asking for data when get_data is not offered', async () => {
    const platform = fakePlatform({
      onPost({ message }, p) {
        p.send(LMS, capabilities(message['message_id'], ['lti.put_data']));
      },
    });
    const result = await getPlatformData(platform.transport, { origin: LMS, key: KEY, newId });
    expect(result).toEqual({ ok: false, reason: 'unsupported' });
    expect(platform.posted).toHaveLength(1);
  });

  it('ignores answers from another origin', async () => {
    const platform = fakePlatform({
      onPost({ message }, p) {
        p.send('https://evil.example', capabilities(message['message_id'], ['lti.get_data']));
      },
    });
    const pending = getPlatformData(platform.transport, { origin: LMS, key: KEY, newId });
    await flush();
    platform.advance(1500);
    expect(await pending).toEqual({ ok: false, reason: 'timeout' });
    expect(platform.posted).toHaveLength(1);
  });

  it('ignores answers with another message_id and other subjects', async () => {
    const platform = fakePlatform({
      onPost({ message }, p) {
        if (message['subject'] === 'lti.capabilities') {
          p.send(LMS, capabilities(message['message_id'], ['lti.get_data']));
        } else {
          p.send(LMS, { subject: 'lti.get_data.response', message_id: 'someone-else', key: KEY, value: 'wrong' });
          p.send(LMS, { subject: 'lti.put_data.response', message_id: message['message_id'], key: KEY, value: 'wrong' });
          p.send(LMS, 'not an object');
        }
      },
    });
    const pending = getPlatformData(platform.transport, { origin: LMS, key: KEY, newId });
    await flush();
    expect(platform.posted).toHaveLength(2);
    const id = platform.posted[1]!.message['message_id'];
    platform.send(LMS, { subject: 'lti.get_data.response', message_id: id, key: KEY, value: 'right' });
    expect(await pending).toEqual({ ok: true, value: 'right' });
  });

  it('times out when the platform does not answer capabilities within 1.5 s', async () => {
    const platform = fakePlatform();
    let result: unknown;
    const pending = getPlatformData(platform.transport, { origin: LMS, key: KEY, newId }).then((r) => (result = r));
    platform.advance(1499);
    await flush();
    expect(result).toBeUndefined();
    platform.advance(1);
    await pending;
    expect(result).toEqual({ ok: false, reason: 'timeout' });
    expect(platform.listeners.size).toBe(0);
  });

  it('times out when the platform does not answer get_data within 2 s', async () => {
    const platform = fakePlatform({
      onPost({ message }, p) {
        if (message['subject'] === 'lti.capabilities') p.send(LMS, capabilities(message['message_id'], ['lti.get_data']));
      },
    });
    let result: unknown;
    const pending = getPlatformData(platform.transport, { origin: LMS, key: KEY, newId }).then((r) => (result = r));
    await flush();
    platform.advance(1999);
    await flush();
    expect(result).toBeUndefined();
    platform.advance(1);
    await pending;
    expect(result).toEqual({ ok: false, reason: 'timeout' });
    expect(platform.listeners.size).toBe(0);
  });

  it('reports an error response from the platform', async () => {
    const platform = fakePlatform({
      onPost({ message }, p) {
        if (message['subject'] === 'lti.capabilities') {
          p.send(LMS, capabilities(message['message_id'], ['lti.get_data']));
        } else {
          p.send(LMS, {
            subject: 'lti.get_data.response',
            message_id: message['message_id'],
            key: KEY,
            error: { code: 'bad_request', message: 'Unknown key' },
          });
        }
      },
    });
    const result = await getPlatformData(platform.transport, { origin: LMS, key: KEY, newId });
    expect(result).toEqual({ ok: false, reason: 'error', detail: 'bad_request: Unknown key' });
  });

  it('reports "missing" when the platform has no value under the key', async () => {
    const platform = fakePlatform({
      onPost({ message }, p) {
        if (message['subject'] === 'lti.capabilities') p.send(LMS, capabilities(message['message_id'], ['lti.get_data']));
        else p.send(LMS, { subject: 'lti.get_data.response', message_id: message['message_id'], key: KEY });
      },
    });
    expect(await getPlatformData(platform.transport, { origin: LMS, key: KEY, newId })).toEqual({ ok: false, reason: 'missing' });
  });

  it('reports an error, without waiting, when the message cannot be posted', async () => {
    const platform = fakePlatform({
      onPost() {
        throw new SyntaxError('Invalid target origin');
      },
    });
    const result = await getPlatformData(platform.transport, { origin: 'not an origin', key: KEY, newId });
    expect(result).toEqual({ ok: false, reason: 'error', detail: 'Invalid target origin' });
    expect(platform.listeners.size).toBe(0);
  });
});
