/**
 * The pre-framed write of a shared payload (sendNext) puts on the wire exactly the text frame ws would send, for
 * every length encoding (7-bit, 16-bit, 64-bit), through a real ws server and client; and it falls back to ws
 * when the socket negotiated compression.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer, WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { nextPrefix, sendNext } from './ws-shared.js';

let wss: WebSocketServer | null = null;
afterEach(async () => {
  await new Promise<void>((r) => (wss ? wss.close(() => r()) : r()));
  wss = null;
});

async function pair(perMessageDeflate = false) {
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate });
  await new Promise((r) => wss!.once('listening', r));
  const accepted = new Promise<WebSocket>((r) => wss!.once('connection', r));
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, { perMessageDeflate });
  const received: string[] = [];
  client.on('message', (d, binary) => received.push(binary ? 'BINARY' : String(d)));
  await new Promise((r) => client.once('open', r));
  return { server: await accepted, client, received };
}

describe('sendNext', () => {
  it('frames payloads of every length class as ws would: the client reads the exact text', async () => {
    const { server, client, received } = await pair();
    const viaWs = vi.spyOn(server, 'send');
    const prefix = nextPrefix('3f2b1c9e-8a7d-4e6f-9b0a-1c2d3e4f5a6b');
    const payloads = [
      '{}',
      JSON.stringify({ data: { roomEvents: { body: 'x'.repeat(60) } } }), // frame under 126 bytes
      JSON.stringify({ data: { roomEvents: { body: 'é✓ "quoted" \\ '.repeat(200) } } }), // 16-bit length
      JSON.stringify({ data: { roomEvents: { body: 'y'.repeat(70_000) } } }), // 64-bit length
    ];
    for (const p of payloads) sendNext(server, prefix, p);
    await expect.poll(() => received.length, { timeout: 5000 }).toBe(payloads.length);
    expect(received).toEqual(payloads.map((p) => `${prefix.toString()}${p}}`));
    for (const r of received) expect(JSON.parse(r)).toMatchObject({ id: '3f2b1c9e-8a7d-4e6f-9b0a-1c2d3e4f5a6b', type: 'next' });
    expect(viaWs).not.toHaveBeenCalled(); // one write of our own per frame
    client.close();
  });

  it('goes through ws when the connection uses compression', async () => {
    const { server, client, received } = await pair(true);
    const viaWs = vi.spyOn(server, 'send');
    const prefix = nextPrefix('a');
    sendNext(server, prefix, '{"data":{"x":1}}');
    expect(viaWs).toHaveBeenCalledTimes(1);
    await expect.poll(() => received.length, { timeout: 5000 }).toBe(1);
    expect(received[0]).toBe('{"id":"a","type":"next","payload":{"data":{"x":1}}}');
    client.close();
  });
});
