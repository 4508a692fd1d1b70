/**
 * The outbound guard for platform URLs: which addresses count as public, and a fetch that checks the address it
 * connects to, follows no redirect and caps bodies. A real HTTP server on 127.0.0.1 stands for an internal service.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientAddressKey, guardedFetch, isPublicAddress, OutboundError } from './fetch.js';

describe('isPublicAddress', () => {
  it.each([
    '0.0.0.0',
    '10.1.2.3',
    '100.64.0.1',
    '127.0.0.1',
    '127.255.255.254',
    '169.254.169.254',
    '172.16.0.1',
    '172.31.255.255',
    '192.0.0.8',
    '192.0.2.1',
    '192.168.1.1',
    '198.18.0.1',
    '198.51.100.7',
    '203.0.113.9',
    '224.0.0.1',
    '239.255.255.250',
    '240.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '::ffff:169.254.169.254',
    '::127.0.0.1',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'fe80::1%eth0',
    'fec0::1',
    'ff02::1',
    '2001:db8::1',
    '2001::1',
    '100::1',
    '64:ff9b::a9fe:a9fe',
    '2002:7f00:1::1',
    '[::1]',
    'localhost',
    'not-an-ip',
    '1.2.3',
    '256.1.1.1',
  ])('refuses %s', (ip) => expect(isPublicAddress(ip)).toBe(false));

  it.each([
    '1.1.1.1',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '2a00:1450:4001::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ])('accepts %s', (ip) => expect(isPublicAddress(ip)).toBe(true));
});

describe('clientAddressKey', () => {
  it('keys IPv4 by address, IPv4-mapped IPv6 as IPv4, IPv6 by its /64', () => {
    expect(clientAddressKey('203.0.113.5')).toBe('203.0.113.5');
    expect(clientAddressKey('::ffff:203.0.113.5')).toBe('203.0.113.5');
    expect(clientAddressKey('2001:db8:1:2:aaaa::1')).toBe(clientAddressKey('2001:db8:1:2:bbbb::9'));
    expect(clientAddressKey('2001:db8:1:2::1')).not.toBe(clientAddressKey('2001:db8:1:3::1'));
    expect(clientAddressKey(undefined)).toBe('unknown');
  });
});

describe('guardedFetch', () => {
  let server: Server;
  let port: number;
  const hits: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      if (req.url === '/redirect') return void res.writeHead(302, { location: `http://127.0.0.1:${port}/target` }).end();
      if (req.url === '/big')
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ pad: 'x'.repeat(5000) }));
      if (req.url === '/echo' && req.method === 'POST') {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () =>
          res.writeHead(201, { 'content-type': 'application/json', 'x-seen': String(req.headers.authorization) }).end(body),
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('refuses loopback by literal and by name without connecting, when private networks are not allowed', async () => {
    const f = guardedFetch({ allowPrivateNetwork: false });
    const before = hits.length;
    for (const u of [
      `http://127.0.0.1:${port}/`,
      `http://localhost:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
      `http://[::1]:${port}/`,
    ]) {
      await expect(f(u), u).rejects.toMatchObject({ reason: 'private-address' });
    }
    expect(hits.length).toBe(before);
  });

  it('refuses other schemes and URLs with credentials', async () => {
    const f = guardedFetch({ allowPrivateNetwork: true });
    await expect(f('file:///etc/passwd')).rejects.toBeInstanceOf(OutboundError);
    await expect(f(`http://user:pw@127.0.0.1:${port}/`)).rejects.toMatchObject({ reason: 'bad-url' });
  });

  it('fetches, posts with headers, answers a redirect as it is and caps the body, where private networks are allowed', async () => {
    const f = guardedFetch({ allowPrivateNetwork: true, maxBytes: 1000 });
    expect(await (await f(`http://127.0.0.1:${port}/ok`)).json()).toEqual({ ok: true });
    const posted = await f(`http://localhost:${port}/echo`, {
      method: 'POST',
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(posted.status).toBe(201);
    expect(posted.headers.get('x-seen')).toBe('Bearer t');
    expect(await posted.json()).toEqual({ a: 1 });
    const redirect = await f(`http://127.0.0.1:${port}/redirect`);
    expect(redirect.status).toBe(302);
    expect(hits).not.toContain('/target');
    await expect(f(`http://127.0.0.1:${port}/big`)).rejects.toMatchObject({ reason: 'too-large' });
  });
});
