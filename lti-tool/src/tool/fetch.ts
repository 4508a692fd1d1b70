/**
 * Outbound HTTP to addresses a platform names (its OpenID configuration, registration endpoint, key set). Anyone
 * can start a dynamic registration, so these URLs are attacker-chosen until proven otherwise:
 * - the host is resolved once and every address is checked; the connection goes to the checked address (the
 *   socket's own `lookup`), so a DNS answer that changes between check and connect (rebinding) gains nothing;
 * - loopback, private, link-local, unique-local, multicast, unspecified and other non-public addresses (IPv4 and
 *   IPv6, IPv4-mapped and -embedded IPv6 included) are refused unless `allowPrivateNetwork` (development, tests);
 * - redirects are not followed (a 3xx is answered as it is, so callers see a failure);
 * - bodies are capped (`maxBytes`) and never end up in an error message.
 * The result is a fetch-compatible function, so the JWKS cache uses the same guard.
 */
import { lookup as dnsLookup, promises as dnsPromises, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';

/** The largest body read from a platform: configurations and key sets are a few KB. */
const MAX_PLATFORM_RESPONSE_BYTES = 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 15_000;

/** Why an outbound request was refused or failed; `message` holds no byte of what the remote sent. */
export class OutboundError extends Error {
  constructor(
    readonly reason: 'private-address' | 'too-large' | 'bad-url' | 'unreachable' | 'timeout',
    message: string,
  ) {
    super(message);
    this.name = 'OutboundError';
  }
}

// ------------------------------------------------------------------ addresses

/** IPv4 blocks that are not public unicast: [first address as a 32-bit number, prefix length]. */
const V4_BLOCKED: Array<[number, number]> = [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata services live here)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
].map(([a, bits]) => [v4Number(a as string)!, bits as number]);

function v4Number(ip: string): number | null {
  const parts = ip.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
    n = n * 256 + Number(p);
  }
  return n;
}

function v4Public(n: number): boolean {
  return !V4_BLOCKED.some(([base, bits]) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits)));
}

/** The eight 16-bit groups of an IPv6 address (zone id dropped, a dotted IPv4 tail accepted), or null. */
function v6Groups(ip: string): number[] | null {
  let s = ip.replace(/%.*$/, '').toLowerCase();
  const dotted = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
  if (dotted) {
    const n = v4Number(dotted[1]!);
    if (n === null) return null;
    s = s.slice(0, -dotted[1]!.length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const part = (h: string) => (h ? h.split(':') : []);
  const head = part(halves[0]!);
  const tail = halves.length === 2 ? part(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (all.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return null;
  return all.map((g) => parseInt(g, 16));
}

function v6Public(g: number[]): boolean {
  const embeddedV4 = (hi: number, lo: number) => v4Public(hi * 65536 + lo);
  if (g.slice(0, 5).every((x) => x === 0)) {
    if (g[5] === 0xffff) return embeddedV4(g[6]!, g[7]!); // IPv4-mapped ::ffff:a.b.c.d
    return false; // unspecified ::, loopback ::1, IPv4-compatible (deprecated) ::a.b.c.d
  }
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return embeddedV4(g[6]!, g[7]!); // NAT64 64:ff9b::/96
  if (g[0] === 0x2002) return embeddedV4(g[1]!, g[2]!); // 6to4 2002::/16
  if ((g[0]! & 0xe000) !== 0x2000) return false; // only global unicast 2000::/3 is public (fc00::/7, fe80::/10, ff00::/8... are not)
  if (g[0] === 0x2001 && g[1]! < 0x200) return false; // 2001::/23 IETF protocol assignments (Teredo 2001::/32 among them)
  if (g[0] === 0x2001 && g[1] === 0xdb8) return false; // documentation
  return true;
}

/** Whether an IP address (v4 or v6 text) is a public unicast address a platform may have. */
export function isPublicAddress(ip: string): boolean {
  const bare = ip.replace(/^\[|\]$/g, '');
  const kind = isIP(bare.replace(/%.*$/, ''));
  if (kind === 4) return v4Public(v4Number(bare)!);
  if (kind === 6) {
    const g = v6Groups(bare);
    return !!g && v6Public(g);
  }
  return false;
}

/**
 * A client address as a rate-limit key: IPv4 as it is (an IPv4-mapped IPv6 address as its IPv4), IPv6 by its /64
 * (one subscriber usually holds a whole /64).
 */
export function clientAddressKey(ip: string | undefined): string {
  const bare = (ip ?? '').replace(/^\[|\]$/g, '');
  if (isIP(bare) === 4) return bare;
  const g = isIP(bare.replace(/%.*$/, '')) === 6 ? v6Groups(bare) : null;
  if (!g) return 'unknown';
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return `${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`;
  return `${g
    .slice(0, 4)
    .map((x) => x.toString(16))
    .join(':')}::/64`;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A socket `lookup` that resolves once and hands over only checked public addresses. */
function publicOnlyLookup(hostname: string, options: { all?: boolean; family?: number | string }, callback: LookupCallback): void {
  dnsLookup(hostname, { family: typeof options.family === 'number' ? options.family : 0, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const list = addresses as LookupAddress[];
    if (list.length === 0 || list.some((a) => !isPublicAddress(a.address))) {
      return callback(
        Object.assign(new OutboundError('private-address', 'The address is on a private or local network.'), {
          code: 'ERR_PRIVATE_ADDRESS',
        }),
        [],
      );
    }
    if (options.all) callback(null, list);
    else callback(null, list[0]!.address, list[0]!.family);
  });
}

/**
 * Refuses a URL whose host is, or resolves to, a non-public address. For URLs another HTTP client fetches (ltijs's
 * NRPS and AGS calls): it resolves again, so unlike guardedFetch this check does not stop DNS rebinding.
 */
export async function assertPublicUrl(u: string): Promise<void> {
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    throw new OutboundError('bad-url', 'The URL is not valid.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OutboundError('bad-url', 'Only http(s) URLs are fetched.');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await dnsPromises.lookup(host, { all: true })).map((a) => a.address);
  } catch (err) {
    throw describe(err);
  }
  if (addresses.length === 0 || addresses.some((a) => !isPublicAddress(a)))
    throw new OutboundError('private-address', 'The address is on a private or local network.');
}

// ------------------------------------------------------------------ fetch

export interface GuardedFetchOptions {
  /** Allow loopback and private addresses (development and tests, where platforms run on 127.0.0.1). */
  allowPrivateNetwork: boolean;
  maxBytes?: number;
}

/** A fetch for platform URLs: the guard above, no redirects, a capped body. Accepts a string or URL input. */
export function guardedFetch(opts: GuardedFetchOptions): typeof fetch {
  const maxBytes = opts.maxBytes ?? MAX_PLATFORM_RESPONSE_BYTES;
  const f = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> =>
    new Promise<Response>((resolve, reject) => {
      let u: URL;
      try {
        u = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      } catch {
        return reject(new OutboundError('bad-url', 'The URL is not valid.'));
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return reject(new OutboundError('bad-url', 'Only http(s) URLs are fetched.'));
      if (u.username || u.password) return reject(new OutboundError('bad-url', 'URLs with credentials are not fetched.'));
      const host = u.hostname.replace(/^\[|\]$/g, '');
      if (!opts.allowPrivateNetwork && isIP(host) && !isPublicAddress(host)) {
        return reject(new OutboundError('private-address', 'The address is on a private or local network.'));
      }
      const headers: Record<string, string> = {};
      new Headers(init.headers).forEach((v, k) => (headers[k] = v));
      const body = typeof init.body === 'string' ? init.body : init.body == null ? null : undefined;
      if (body === undefined) return reject(new OutboundError('bad-url', 'Only string bodies are sent.'));
      if (body !== null) headers['content-length'] = String(Buffer.byteLength(body));
      const signal = init.signal ?? AbortSignal.timeout(DEFAULT_TIMEOUT_MS);
      const lib = u.protocol === 'https:' ? https : http;
      const req = lib.request(
        u,
        {
          method: init.method ?? 'GET',
          headers,
          signal,
          agent: false,
          ...(opts.allowPrivateNetwork ? {} : { lookup: publicOnlyLookup as never }),
        },
        (res) => {
          const declared = Number(res.headers['content-length']);
          if (Number.isFinite(declared) && declared > maxBytes) {
            req.destroy();
            return reject(new OutboundError('too-large', `The answer is larger than ${maxBytes} bytes.`));
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > maxBytes) {
              req.destroy();
              reject(new OutboundError('too-large', `The answer is larger than ${maxBytes} bytes.`));
            } else chunks.push(c);
          });
          res.on('error', (err) => reject(describe(err)));
          res.on('end', () => {
            if (size > maxBytes) return;
            const h = new Headers();
            for (const [k, v] of Object.entries(res.headers))
              for (const one of Array.isArray(v) ? v : v === undefined ? [] : [v]) h.append(k, one);
            const status = res.statusCode ?? 502;
            const nullBody = status === 204 || status === 205 || status === 304;
            resolve(
              new Response(nullBody ? null : Buffer.concat(chunks), { status: status >= 200 && status <= 599 ? status : 502, headers: h }),
            );
          });
        },
      );
      req.on('error', (err) => reject(describe(err)));
      req.end(body ?? undefined);
    });
  return f as typeof fetch;
}

/** An error without anything the remote side chose. */
function describe(err: unknown): OutboundError {
  if (err instanceof OutboundError) return err;
  const e = err as { name?: string; code?: string };
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError' || e?.code === 'ABORT_ERR')
    return new OutboundError('timeout', 'The request timed out.');
  if (e?.code === 'ERR_PRIVATE_ADDRESS') return new OutboundError('private-address', 'The address is on a private or local network.');
  return new OutboundError('unreachable', e?.code && /^[A-Z_]+$/.test(e.code) ? `No answer (${e.code}).` : 'No answer.');
}
