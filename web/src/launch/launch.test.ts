import { describe, expect, it, vi } from 'vitest';
import { completeLaunch, exchangeCode, type LaunchDeps, type LaunchHandoff, parseLaunchHandoff, safeRedirect } from './launch';
import type { PlatformTransport } from './platform-storage';

const LMS = 'https://lms.example';

function memoryStorage(entries: Record<string, string> = {}): Storage {
  const map = new Map(Object.entries(entries));
  return {
    get length() {
      return map.size;
    },
    clear: () => map.clear(),
    getItem: (key) => map.get(key) ?? null,
    key: (index) => [...map.keys()][index] ?? null,
    removeItem: (key) => void map.delete(key),
    setItem: (key, value) => void map.set(key, String(value)),
  };
}

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

/** A platform that supports get_data and holds `stored`. */
function platformHolding(stored: Record<string, string>): PlatformTransport {
  const listeners = new Set<(e: { origin: string; data: unknown }) => void>();
  const send = (data: unknown) => queueMicrotask(() => listeners.forEach((l) => l({ origin: LMS, data })));
  return {
    post(message) {
      if (message['subject'] === 'lti.capabilities') {
        send({
          subject: 'lti.capabilities.response',
          message_id: message['message_id'],
          supported_messages: [{ subject: 'lti.get_data' }],
        });
      } else if (message['subject'] === 'lti.get_data') {
        const key = message['key'] as string;
        send({ subject: 'lti.get_data.response', message_id: message['message_id'], key, value: stored[key] });
      }
    },
    addListener: (l) => void listeners.add(l),
    removeListener: (l) => void listeners.delete(l),
    setTimeout: () => 0,
  };
}

const handoff = (storage: LaunchHandoff['storage'] = null): LaunchHandoff => ({ code: 'one-time', bindKey: 'lt.bind.s1', storage });

function deps(overrides: Partial<LaunchDeps> & { storage?: Storage | null } = {}) {
  const storage = overrides.storage === undefined ? memoryStorage({ 'lt.bind.s1': 'frame-secret' }) : overrides.storage;
  const fetchFn = vi.fn<typeof fetch>(async () =>
    jsonResponse(200, { token: 'session-token', expiresAt: '2030-01-01T00:00:00.000Z', redirect: '/courses/c1/hub' }),
  );
  const setToken = vi.fn<(token: string) => void>();
  const d: LaunchDeps = {
    fetch: fetchFn,
    sessionStorage: () => storage,
    platform: () => null,
    setToken,
    ...overrides,
  };
  return { deps: d, fetchFn: d.fetch as typeof fetchFn, setToken, storage };
}

const sentBody = (fetchFn: ReturnType<typeof vi.fn<typeof fetch>>) => JSON.parse(String(fetchFn.mock.calls[0]?.[1]?.body));

describe('parseLaunchHandoff', () => {
  it('reads code, bindKey and storage', () => {
    expect(
      parseLaunchHandoff(
        '{"code":"c","bindKey":"lt.bind.x","storage":{"target":"post_message_forwarding","origin":"https://lms.example"}}',
      ),
    ).toEqual({ code: 'c', bindKey: 'lt.bind.x', storage: { target: 'post_message_forwarding', origin: LMS } });
    expect(parseLaunchHandoff('{"code":"c","bindKey":"k","storage":null}')).toEqual({ code: 'c', bindKey: 'k', storage: null });
  });
  it('defaults the storage target to the parent', () => {
    expect(parseLaunchHandoff('{"code":"c","bindKey":"k","storage":{"origin":"https://lms.example"}}')?.storage).toEqual({
      target: '_parent',
      origin: LMS,
    });
  });
  it('is null for broken or incomplete content', () => {
    expect(parseLaunchHandoff('')).toBeNull();
    expect(parseLaunchHandoff('{nope')).toBeNull();
    expect(parseLaunchHandoff('{"bindKey":"k"}')).toBeNull();
    expect(parseLaunchHandoff('{"code":"","bindKey":"k"}')).toBeNull();
    expect(parseLaunchHandoff('[1]')).toBeNull();
  });
});

describe('safeRedirect', () => {
  it('keeps app paths', () => {
    expect(safeRedirect('/courses/0b6f/hub')).toBe('/courses/0b6f/hub');
    expect(safeRedirect('/deep-link/abc?x=1')).toBe('/deep-link/abc?x=1');
  });
  it('turns anything else into /', () => {
    for (const bad of ['https://evil.example/', '//evil.example', '/\\evil.example', 'javascript:alert(1)', 'courses', '', null, 42]) {
      expect(safeRedirect(bad)).toBe('/');
    }
  });
});

describe('completeLaunch', () => {
  it('uses the binding from sessionStorage when the platform has no storage, stores the token and forgets the binding', async () => {
    const { deps: d, fetchFn, setToken, storage } = deps();
    expect(await completeLaunch(handoff(), d)).toEqual({ ok: true, redirect: '/courses/c1/hub' });
    expect(fetchFn).toHaveBeenCalledTimes(1);
    expect(fetchFn.mock.calls[0]?.[0]).toBe('/lti/exchange');
    expect(fetchFn.mock.calls[0]?.[1]?.method).toBe('POST');
    expect(sentBody(fetchFn)).toEqual({ code: 'one-time', binding: 'frame-secret' });
    expect(setToken).toHaveBeenCalledWith('session-token');
    expect(storage?.getItem('lt.bind.s1')).toBeNull();
  });

  it('prefers the binding kept in Platform Storage', async () => {
    const { deps: d, fetchFn } = deps({ platform: () => platformHolding({ 'lt.bind.s1': 'platform-secret' }) });
    await completeLaunch(handoff({ target: '_parent', origin: LMS }), d);
    expect(sentBody(fetchFn)).toEqual({ code: 'one-time', binding: 'platform-secret' });
  });

  it('falls back to sessionStorage when the platform has nothing under the key', async () => {
    const log = vi.fn();
    const { deps: d, fetchFn } = deps({ platform: () => platformHolding({}), log });
    await completeLaunch(handoff({ target: '_parent', origin: LMS }), d);
    expect(sentBody(fetchFn)).toEqual({ code: 'one-time', binding: 'frame-secret' });
    expect(log).toHaveBeenCalledOnce();
  });

  it('sends a null binding when storage is blocked', async () => {
    const blocked = memoryStorage();
    blocked.getItem = () => {
      throw new DOMException('blocked', 'SecurityError');
    };
    blocked.removeItem = blocked.getItem;
    const { deps: d, fetchFn, setToken } = deps({ storage: blocked });
    expect(await completeLaunch(handoff(), d)).toEqual({ ok: true, redirect: '/courses/c1/hub' });
    expect(sentBody(fetchFn)).toEqual({ code: 'one-time', binding: null });
    expect(setToken).toHaveBeenCalledWith('session-token');

    const { deps: d2, fetchFn: fetch2 } = deps({ storage: null });
    await completeLaunch(handoff(), d2);
    expect(sentBody(fetch2)).toEqual({ code: 'one-time', binding: null });
  });

  it('passes the server error on, and keeps no token', async () => {
    const {
      deps: d,
      setToken,
      storage,
    } = deps({
      fetch: async () =>
        jsonResponse(400, { error: { code: 'LAUNCH_BINDING_MISMATCH', message: 'This launch was started in another window.' } }),
    });
    expect(await completeLaunch(handoff(), d)).toEqual({
      ok: false,
      code: 'LAUNCH_BINDING_MISMATCH',
      message: 'This launch was started in another window.',
    });
    expect(setToken).not.toHaveBeenCalled();
    expect(storage?.getItem('lt.bind.s1')).toBe('frame-secret');
  });

  it('explains network failures and unexpected answers', async () => {
    const network = deps({ fetch: async () => Promise.reject(new TypeError('Failed to fetch')) });
    expect(await completeLaunch(handoff(), network.deps)).toMatchObject({ ok: false, code: 'NETWORK_ERROR' });

    const html = deps({ fetch: async () => new Response('<h1>Bad gateway</h1>', { status: 502 }) });
    expect(await completeLaunch(handoff(), html.deps)).toMatchObject({ ok: false, code: 'HTTP_502' });

    const noToken = deps({ fetch: async () => jsonResponse(200, { redirect: '/' }) });
    expect(await completeLaunch(handoff(), noToken.deps)).toMatchObject({ ok: false, code: 'BAD_RESPONSE' });
    expect(noToken.setToken).not.toHaveBeenCalled();
  });

  it('never redirects outside the app', async () => {
    const { deps: d } = deps({ fetch: async () => jsonResponse(200, { token: 't', expiresAt: null, redirect: '//evil.example/x' }) });
    expect(await completeLaunch(handoff(), d)).toEqual({ ok: true, redirect: '/' });
  });
});

describe('exchangeCode', () => {
  it('returns the token, expiry and redirect', async () => {
    const result = await exchangeCode(
      async () => jsonResponse(200, { token: 't', expiresAt: '2030-01-01T00:00:00.000Z', redirect: '/deep-link/r1' }),
      'c',
      'b',
    );
    expect(result).toEqual({ ok: true, token: 't', expiresAt: '2030-01-01T00:00:00.000Z', redirect: '/deep-link/r1' });
  });
});

describe('binding from the frame name (third-party storage blocked)', () => {
  it('reads the binding for this key, restores the original frame name, and ignores other keys or junk', async () => {
    const { takeFromFrameName } = await import('./launch');
    let name = JSON.stringify({ ltBind: { key: 'lt.bind.s1', value: 'secret-1' }, name: 'lti-tool-frame' });
    const deps = { frameName: { get: () => name, set: (n: string) => void (name = n) } } as unknown as Parameters<
      typeof takeFromFrameName
    >[0];
    expect(takeFromFrameName(deps, 'lt.bind.s1')).toBe('secret-1');
    expect(name).toBe('lti-tool-frame');
    name = JSON.stringify({ ltBind: { key: 'lt.bind.other', value: 'x' }, name: 'orig' });
    expect(takeFromFrameName(deps, 'lt.bind.s1')).toBeNull();
    expect(name).toBe('orig');
    name = 'not json';
    expect(takeFromFrameName(deps, 'lt.bind.s1')).toBeNull();
    expect(name).toBe('not json');
  });
});

describe('a launch that cannot finish', () => {
  it('falls back to the frame storage when the Platform Storage transport throws at any step', async () => {
    const throwing: PlatformTransport = {
      post: () => undefined,
      addListener: () => {
        throw new Error('detached frame');
      },
      removeListener: () => undefined,
      setTimeout: () => 0,
    };
    const { deps: d, fetchFn } = deps({ platform: () => throwing });
    const outcome = await completeLaunch(handoff({ target: 'post_message_forwarding', origin: LMS }), d);
    expect(outcome).toEqual({ ok: true, redirect: '/courses/c1/hub' });
    expect(JSON.parse(String(fetchFn.mock.calls[0]![1]!.body))).toMatchObject({ binding: 'frame-secret' });
  });

  it('shows an error with a code when the exchange never answers, instead of waiting for ever', async () => {
    const hanging = vi.fn<typeof fetch>(
      (_input, init) =>
        new Promise((_resolve, reject) => init!.signal!.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))),
    );
    const result = await exchangeCode(hanging, 'one-time', 'secret', 10);
    expect(result).toMatchObject({ ok: false, code: 'LAUNCH_TIMEOUT' });
  });
});
