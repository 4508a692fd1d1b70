/**
 * Finishing an LTI launch in the SPA. The server answers the LMS's form POST to /lti/launch with
 * index.html plus a `<script type="application/json" id="lt-launch">` hand-off: a one-time code,
 * the key under which the login step stored a binding secret, and where the platform's storage is.
 * The app reads the secret back, trades code + secret for a session token at POST /lti/exchange,
 * and goes to the page the launch asked for. No cookie, no token in a URL.
 *
 * Everything the outside world provides is injected (fetch, storage, the platform transport),
 * so this runs in unit tests; main.ts wires the real ones.
 */
import { getPlatformData, type PlatformGetResult, type PlatformTransport } from './platform-storage';

const LAUNCH_ELEMENT_ID = 'lt-launch';
const EXCHANGE_PATH = '/lti/exchange';

export interface LaunchHandoff {
  code: string;
  bindKey: string;
  /** Where LTI Platform Storage lives; null when the platform does not offer it. */
  storage: { target: string; origin: string } | null;
}

export interface LaunchFailure {
  code: string;
  message: string;
}

export type LaunchOutcome = { ok: true; redirect: string } | ({ ok: false } & LaunchFailure);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/** Reads the hand-off JSON; null when it is not usable. */
export function parseLaunchHandoff(text: string): LaunchHandoff | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(data) || !nonEmpty(data['code']) || !nonEmpty(data['bindKey'])) return null;
  const storage = data['storage'];
  let platform: LaunchHandoff['storage'] = null;
  if (isRecord(storage) && nonEmpty(storage['origin'])) {
    platform = { target: nonEmpty(storage['target']) ? storage['target'] : '_parent', origin: storage['origin'] };
  }
  return { code: data['code'], bindKey: data['bindKey'], storage: platform };
}

/** Only a path of this app: one leading slash, no scheme, no protocol-relative or backslash tricks. */
export function safeRedirect(redirect: unknown): string {
  if (typeof redirect !== 'string' || !/^\/(?![/\\])/.test(redirect) || /[\\\s]/.test(redirect)) return '/';
  return redirect;
}

export interface LaunchDeps {
  fetch: typeof fetch;
  /** The tool's sessionStorage; may be null or throw when blocked. */
  sessionStorage: () => Storage | null;
  /** This frame's name: the login page leaves the binding there too, for browsers that block third-party storage. */
  frameName?: { get(): string; set(name: string): void };
  /** The platform's window for Platform Storage; null when there is none to ask. */
  platform: (handoff: LaunchHandoff) => PlatformTransport | null;
  setToken: (token: string) => void;
  /** message_id generator for the Platform Storage client. */
  newId?: () => string;
  /** Diagnostics for the console; nothing secret is passed. */
  log?: (message: string) => void;
}

function fromSessionStorage(deps: LaunchDeps, key: string): string | null {
  try {
    const value = deps.sessionStorage()?.getItem(key);
    return value ? value : null;
  } catch {
    return null;
  }
}

/**
 * The binding from the frame's name, `{"ltBind":{"key","value"},"name":<original>}`, and the original name put
 * back so the LMS can keep targeting its frame by name. Null when the name holds no binding for this key.
 */
export function takeFromFrameName(deps: LaunchDeps, key: string): string | null {
  if (!deps.frameName) return null;
  let parsed: { ltBind?: { key?: unknown; value?: unknown }; name?: unknown } | null = null;
  try {
    parsed = JSON.parse(deps.frameName.get());
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== 'object' || !parsed.ltBind) return null;
  deps.frameName.set(typeof parsed.name === 'string' ? parsed.name : '');
  return parsed.ltBind.key === key && typeof parsed.ltBind.value === 'string' ? parsed.ltBind.value : null;
}

function removeFromSessionStorage(deps: LaunchDeps, key: string): void {
  try {
    deps.sessionStorage()?.removeItem(key);
  } catch {
    // Blocked storage never held it.
  }
}

function reasonText(result: Extract<PlatformGetResult, { ok: false }>): string {
  return result.detail ? `${result.reason} (${result.detail})` : result.reason;
}

/** The binding secret: from Platform Storage when the platform offers it, else this frame's sessionStorage, else the frame's name. */
async function readBinding(handoff: LaunchHandoff, deps: LaunchDeps): Promise<string | null> {
  // Read (and restore the frame's name) first, whichever source answers.
  const fromName = takeFromFrameName(deps, handoff.bindKey);
  if (handoff.storage) {
    let transport: PlatformTransport | null = null;
    try {
      transport = deps.platform(handoff);
    } catch {
      transport = null;
    }
    if (transport) {
      // Whatever fails here (a transport that throws, a frame that never answers: getPlatformData times out),
      // the launch goes on with this frame's own storage.
      let result: PlatformGetResult;
      try {
        result = await getPlatformData(transport, {
          origin: handoff.storage.origin,
          key: handoff.bindKey,
          ...(deps.newId ? { newId: deps.newId } : {}),
        });
      } catch (error) {
        result = { ok: false, reason: 'error', detail: error instanceof Error ? error.message : String(error) };
      }
      if (result.ok) return result.value;
      deps.log?.(`Platform storage did not give the launch binding: ${reasonText(result)}; using this frame's storage.`);
    }
  }
  return fromSessionStorage(deps, handoff.bindKey) ?? fromName;
}

const NETWORK_FAILURE: LaunchFailure = {
  code: 'NETWORK_ERROR',
  message: 'Could not reach Course Companion to finish signing you in.',
};

/** How long the code exchange may take before the launch shows an error instead of waiting on. */
const EXCHANGE_TIMEOUT_MS = 20_000;

const EXCHANGE_TIMEOUT: LaunchFailure = {
  code: 'LAUNCH_TIMEOUT',
  message: 'Course Companion did not answer in time while signing you in. Open the activity again from your course.',
};

/** POST /lti/exchange: the one-time code and the binding secret for a session. */
export async function exchangeCode(
  fetchFn: typeof fetch,
  code: string,
  binding: string | null,
  timeoutMs = EXCHANGE_TIMEOUT_MS,
): Promise<{ ok: true; token: string; expiresAt: string | null; redirect: string } | ({ ok: false } & LaunchFailure)> {
  let response: Response;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    response = await fetchFn(EXCHANGE_PATH, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ code, binding }),
      cache: 'no-store',
      signal: controller.signal,
    });
  } catch {
    clearTimeout(timer);
    return { ok: false, ...(controller.signal.aborted ? EXCHANGE_TIMEOUT : NETWORK_FAILURE) };
  }

  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  clearTimeout(timer);
  if (controller.signal.aborted) return { ok: false, ...EXCHANGE_TIMEOUT };

  if (!response.ok) {
    const error = isRecord(body) && isRecord(body['error']) ? body['error'] : null;
    if (error && nonEmpty(error['message'])) {
      return { ok: false, code: nonEmpty(error['code']) ? error['code'] : `HTTP_${response.status}`, message: error['message'] };
    }
    return {
      ok: false,
      code: `HTTP_${response.status}`,
      message: response.status >= 500 ? 'The server had a problem finishing the launch.' : 'The server did not accept this launch.',
    };
  }

  if (!isRecord(body) || !nonEmpty(body['token'])) {
    return { ok: false, code: 'BAD_RESPONSE', message: 'The server answered the launch with something unexpected.' };
  }
  return {
    ok: true,
    token: body['token'],
    expiresAt: nonEmpty(body['expiresAt']) ? body['expiresAt'] : null,
    redirect: safeRedirect(body['redirect']),
  };
}

/**
 * Reads the binding, exchanges the code, stores the token and forgets the binding.
 * Never rejects: a failure comes back as `{ ok: false, code, message }` for the launch error page.
 */
export async function completeLaunch(handoff: LaunchHandoff, deps: LaunchDeps): Promise<LaunchOutcome> {
  const binding = await readBinding(handoff, deps);
  const result = await exchangeCode(deps.fetch, handoff.code, binding);
  if (!result.ok) return result;
  deps.setToken(result.token);
  removeFromSessionStorage(deps, handoff.bindKey);
  return { ok: true, redirect: result.redirect };
}

/** The hand-off element, if the server injected one; `handoff` is null when its content is unusable. */
export function findLaunchHandoff(doc: Document): { element: Element; handoff: LaunchHandoff | null } | null {
  const element = doc.getElementById(LAUNCH_ELEMENT_ID);
  if (!element) return null;
  return { element, handoff: parseLaunchHandoff(element.textContent ?? '') };
}

export const INVALID_HANDOFF: LaunchFailure = {
  code: 'LAUNCH_INVALID',
  message: 'The launch from your course could not be read.',
};
