/**
 * LTI Platform Storage, the reading half: ask the LMS window that embeds the tool for a value
 * stored under a key (`lti.get_data`), over postMessage. The login step put the launch's binding
 * secret there (`lti.put_data`) because the tool's own storage may be partitioned or blocked in
 * the iframe.
 *
 * Written against an injected transport so it runs without a browser; `windowTransport` wires it
 * to a real window. Only answers from the platform's origin that carry our `message_id` count.
 */
import { randomId } from '../random-id';

/** The part of a MessageEvent this client reads. */
interface PlatformMessage {
  origin: string;
  data: unknown;
}

export type PlatformListener = (event: PlatformMessage) => void;

export interface PlatformTransport {
  /** postMessage to the platform's frame. May throw (bad origin, detached frame). */
  post(message: Record<string, unknown>, targetOrigin: string): void;
  addListener(listener: PlatformListener): void;
  removeListener(listener: PlatformListener): void;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout?(handle: unknown): void;
}

export interface PlatformGetOptions {
  /** The platform's origin: the target of our messages and the only origin we accept answers from. */
  origin: string;
  key: string;
  /** How long the platform gets to answer `lti.capabilities` (default 1.5 s). */
  capabilitiesTimeoutMs?: number;
  /** How long the platform gets to answer `lti.get_data` (default 2 s). */
  getDataTimeoutMs?: number;
  newId?: () => string;
}

export type PlatformGetResult =
  | { ok: true; value: string }
  | {
      ok: false;
      /**
       * unsupported: the platform does not offer lti.get_data; timeout: no answer in time;
       * error: the platform answered with an error, or the message could not be sent;
       * missing: the platform has no value under the key.
       */
      reason: 'unsupported' | 'timeout' | 'error' | 'missing';
      detail?: string;
    };

const CAPABILITIES_TIMEOUT_MS = 1500;
const GET_DATA_TIMEOUT_MS = 2000;

type Answer = { ok: true; data: Record<string, unknown> } | { ok: false; reason: 'timeout' | 'error'; detail?: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Sends one message and waits for the matching response (same origin, same message_id, expected subject). */
function request(
  transport: PlatformTransport,
  origin: string,
  message: Record<string, unknown> & { message_id: string },
  responseSubject: string,
  timeoutMs: number,
): Promise<Answer> {
  return new Promise((resolve) => {
    let settled = false;
    let timer: unknown;

    const finish = (answer: Answer) => {
      if (settled) return;
      settled = true;
      transport.removeListener(listener);
      transport.clearTimeout?.(timer);
      resolve(answer);
    };

    const listener: PlatformListener = (event) => {
      if (event.origin !== origin) return;
      const data = event.data;
      if (!isRecord(data) || data['message_id'] !== message.message_id || data['subject'] !== responseSubject) return;
      finish({ ok: true, data });
    };

    transport.addListener(listener);
    timer = transport.setTimeout(() => finish({ ok: false, reason: 'timeout' }), timeoutMs);
    try {
      transport.post(message, origin);
    } catch (error) {
      finish({ ok: false, reason: 'error', detail: error instanceof Error ? error.message : String(error) });
    }
  });
}

function errorDetail(error: unknown): string {
  if (isRecord(error)) {
    const parts = [error['code'], error['message']].filter((part) => typeof part === 'string');
    if (parts.length) return parts.join(': ');
  }
  return typeof error === 'string' ? error : 'error';
}

/**
 * Reads `key` from the platform's storage: `lti.capabilities` first, then `lti.get_data`
 * when the platform says it supports it. Never rejects.
 */
export async function getPlatformData(transport: PlatformTransport, options: PlatformGetOptions): Promise<PlatformGetResult> {
  const {
    origin,
    key,
    capabilitiesTimeoutMs = CAPABILITIES_TIMEOUT_MS,
    getDataTimeoutMs = GET_DATA_TIMEOUT_MS,
    newId = randomId,
  } = options;

  const capabilities = await request(
    transport,
    origin,
    { subject: 'lti.capabilities', message_id: newId() },
    'lti.capabilities.response',
    capabilitiesTimeoutMs,
  );
  if (!capabilities.ok) return capabilities;
  if (capabilities.data['error'] !== undefined) {
    return { ok: false, reason: 'error', detail: errorDetail(capabilities.data['error']) };
  }
  const supported = capabilities.data['supported_messages'];
  const canGet = Array.isArray(supported) && supported.some((m) => isRecord(m) && m['subject'] === 'lti.get_data');
  if (!canGet) return { ok: false, reason: 'unsupported' };

  const answer = await request(
    transport,
    origin,
    { subject: 'lti.get_data', message_id: newId(), key },
    'lti.get_data.response',
    getDataTimeoutMs,
  );
  if (!answer.ok) return answer;
  if (answer.data['error'] !== undefined) {
    return { ok: false, reason: 'error', detail: errorDetail(answer.data['error']) };
  }
  const value = answer.data['value'];
  if (typeof value !== 'string' || value === '') return { ok: false, reason: 'missing' };
  return { ok: true, value };
}

/** The transport for a real page: messages go to `target` (the platform's frame), answers arrive on `self`. */
export function windowTransport(target: Window, self: Window = window): PlatformTransport {
  const wrapped = new Map<PlatformListener, (event: MessageEvent) => void>();
  return {
    post: (message, targetOrigin) => target.postMessage(message, targetOrigin),
    addListener(listener) {
      const handler = (event: MessageEvent) => listener({ origin: event.origin, data: event.data });
      wrapped.set(listener, handler);
      self.addEventListener('message', handler);
    },
    removeListener(listener) {
      const handler = wrapped.get(listener);
      if (handler) self.removeEventListener('message', handler);
      wrapped.delete(listener);
    },
    setTimeout: (callback, ms) => self.setTimeout(callback, ms),
    clearTimeout: (handle) => self.clearTimeout(handle as number),
  };
}

/**
 * The platform window to talk to, as the login step chose it: the frame named `target` inside the
 * parent (when the platform named one and it exists), else the parent. Null when the tool is not
 * framed (the login step then had no platform to store anything with).
 */
export function platformWindow(self: Window, target: string): Window | null {
  const parent = self.parent;
  if (!parent || parent === self) return null;
  if (target === '_parent') return parent;
  try {
    return (parent.frames as unknown as Record<string, Window | undefined>)[target] ?? parent;
  } catch {
    return parent;
  }
}
