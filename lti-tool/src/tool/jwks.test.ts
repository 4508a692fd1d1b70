import { describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { guardedFetch } from './fetch.js';
import { JwksCache } from './jwks.js';

const jwk = (kid: string) => ({
  ...(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }) as object),
  kid,
  alg: 'RS256',
});

describe('platform JWKS cache', () => {
  it('fetches once per key set, again only for an unknown kid, and not more than once per interval', async () => {
    let keys = [jwk('a')];
    const seen: string[] = [];
    let t = 0;
    const fetchFn = (async (_u: string, init?: RequestInit) => {
      seen.push(String((init?.headers as Record<string, string>)['user-agent']));
      return new Response(JSON.stringify({ keys }), { headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
    const cache = new JwksCache(fetchFn, 'test-agent/1', 10_000, () => t);
    await cache.key('https://p/jwks', 'a');
    await cache.key('https://p/jwks', 'a');
    expect(seen).toEqual(['test-agent/1']);
    // The platform rotates: an unknown kid triggers one refetch…
    keys = [jwk('a'), jwk('b')];
    t = 20_000;
    await cache.key('https://p/jwks', 'b');
    expect(seen).toHaveLength(2);
    // …and a flood of forged kids does not hammer the platform.
    await expect(cache.key('https://p/jwks', 'forged-1')).rejects.toMatchObject({ code: 'UNKNOWN_KEY' });
    await expect(cache.key('https://p/jwks', 'forged-2')).rejects.toMatchObject({ code: 'UNKNOWN_KEY' });
    expect(seen).toHaveLength(2);
  });

  it('reports an unreachable key set with a clear code', async () => {
    const cache = new JwksCache((async () => new Response('no', { status: 500 })) as typeof fetch, 'ua');
    await expect(cache.key('https://p/jwks', 'a')).rejects.toMatchObject({ code: 'PLATFORM_KEYS_UNAVAILABLE' });
  });

  it('never repeats what the platform answered, and goes through the address guard', async () => {
    const cache = new JwksCache((async () => new Response('TOP-SECRET internal page', { status: 200 })) as typeof fetch, 'ua');
    const err = await cache.key('https://p/jwks', 'a').catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'PLATFORM_KEYS_UNAVAILABLE' });
    expect((err as Error).message).not.toContain('TOP-SECRET');
    const guarded = new JwksCache(guardedFetch({ allowPrivateNetwork: false }), 'ua');
    const refused = await guarded.key('http://127.0.0.1:9/latest/meta-data', 'a').catch((e: Error) => e);
    expect(refused).toMatchObject({ code: 'PLATFORM_KEYS_UNAVAILABLE' });
    expect((refused as Error).message).toContain('private or local network');
  });
});
