/**
 * Platform keys, cached by `kid`. ltijs 5.9 fetches the platform JWKS on every launch; we keep each key set
 * and fetch it again only when a token names a `kid` we have not seen (a platform rotated its keys), at most
 * once per `minRefetchMs` per URL so a flood of forged kids cannot make us hammer the platform.
 */
import type { JWK } from 'jose';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { LtiError } from './errors.js';
import { OutboundError } from './fetch.js';

type Fetch = typeof fetch;

export class JwksCache {
  readonly #sets = new Map<string, { keys: Map<string, JWK>; fetchedAt: number }>();
  readonly #inflight = new Map<string, Promise<void>>();
  constructor(
    private readonly fetchFn: Fetch,
    private readonly userAgent: string,
    private readonly minRefetchMs = 10_000,
    private readonly now = () => Date.now(),
  ) {}

  async key(url: string, kid: string): Promise<KeyObject> {
    let set = this.#sets.get(url);
    if (!set?.keys.has(kid) && (!set || this.now() - set.fetchedAt >= this.minRefetchMs)) {
      await this.#refresh(url);
      set = this.#sets.get(url);
    }
    const jwk = set?.keys.get(kid);
    if (!jwk) throw new LtiError('UNKNOWN_KEY', 401, 'The token was signed with a key the platform does not publish.');
    return createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
  }

  #refresh(url: string): Promise<void> {
    const running = this.#inflight.get(url);
    if (running) return running;
    const p = (async () => {
      let body: { keys?: JWK[] };
      try {
        const res = await this.fetchFn(url, {
          headers: { accept: 'application/json', 'user-agent': this.userAgent },
          signal: AbortSignal.timeout(10_000),
        });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        body = (await res.json()) as { keys?: JWK[] };
      } catch (err) {
        // Remember the attempt so a failing platform is not asked again at once.
        const old = this.#sets.get(url);
        this.#sets.set(url, { keys: old?.keys ?? new Map(), fetchedAt: this.now() });
        // Never the error's own text: a JSON parse error quotes what the remote answered.
        const why = /^HTTP \d{3}$/.test((err as Error).message)
          ? (err as Error).message
          : err instanceof OutboundError
            ? err.message.replace(/\.$/, '').toLowerCase()
            : 'no usable answer';
        throw new LtiError('PLATFORM_KEYS_UNAVAILABLE', 502, `The platform's key set could not be read (${why}).`);
      }
      const keys = new Map<string, JWK>();
      for (const k of Array.isArray(body.keys) ? body.keys : []) if (k && typeof k.kid === 'string' && k.kty === 'RSA') keys.set(k.kid, k);
      this.#sets.set(url, { keys, fetchedAt: this.now() });
    })().finally(() => this.#inflight.delete(url));
    this.#inflight.set(url, p);
    return p;
  }
}

/** A platform key given inline (ltijs authConfig JWK_KEY or RSA_KEY). */
export async function inlineKey(method: string, key: string | JWK): Promise<KeyObject> {
  if (method === 'RSA_KEY') return createPublicKey(String(key));
  const jwk = typeof key === 'string' ? (JSON.parse(key) as JWK) : key;
  return createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
}
