/** A graphql-ws socket spoken by hand, for tests of the WebSocket transport: every frame and the close are recorded. */
import WebSocket from 'ws';
import { poll } from './harness.js';

export interface Frame {
  id?: string;
  type: string;
  payload?: any;
}

export class RawSocket {
  frames: Frame[] = [];
  closed: { code: number; reason: string } | null = null;
  acked = false;
  constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      const f = JSON.parse(String(d)) as Frame;
      if (f.type === 'connection_ack') this.acked = true;
      this.frames.push(f);
    });
    ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
    ws.on('error', () => {});
  }
  /** Opens, sends connection_init; resolves once acknowledged or closed. */
  static async open(wsUrl: string, token: string): Promise<RawSocket> {
    const r = new RawSocket(new WebSocket(wsUrl, 'graphql-transport-ws'));
    await new Promise<void>((resolve, reject) => {
      r.ws.once('open', () => resolve());
      r.ws.once('error', reject);
    });
    r.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
    await poll(
      () => r.acked || r.closed !== null,
      20_000,
      () => 'no ack and no close',
    );
    return r;
  }
  send(f: Frame): void {
    this.ws.send(JSON.stringify(f));
  }
  subscribe(id: string, query: string, variables: Record<string, unknown>): void {
    this.send({ id, type: 'subscribe', payload: { query, variables } });
  }
  of(type: string, id?: string): Frame[] {
    return this.frames.filter((f) => f.type === type && (id === undefined || f.id === id));
  }
  /** Sends a session-renewal ping and resolves with the pong's payload. */
  async renew(token: string): Promise<any> {
    const before = this.of('pong').length;
    this.send({ type: 'ping', payload: { renew: `Bearer ${token}` } });
    await poll(
      () => this.of('pong').length > before || this.closed !== null,
      20_000,
      () => 'no pong',
    );
    return this.of('pong')[before]?.payload;
  }
}
