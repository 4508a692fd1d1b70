/** Turns a presented credential (Bearer header or connection_init payload) into a viewer. */
import { AppError } from '../errors.js';
import type { SessionTokens } from './session.js';
import type { ApiKeyService } from '../apikeys/service.js';
import type { Viewer } from './viewer.js';

export class Authenticator {
  constructor(
    private readonly sessions: SessionTokens,
    private readonly keys: ApiKeyService,
  ) {}

  /** `authorization` is a header value ("Bearer x") or a bare token; undefined means anonymous. */
  /**
   * `remember: false` for a credential checked once for a long time (a WebSocket's connection_init): keeping it
   * among the verified tokens would only hold a copy per connection.
   */
  async authenticate(authorization: string | null | undefined, opts: { remember?: boolean } = {}): Promise<Viewer | null> {
    if (authorization == null || authorization === '') return null;
    if (typeof authorization !== 'string' || authorization.length > 4096) {
      throw new AppError('UNAUTHENTICATED', 'The credential is not valid.');
    }
    const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    const token = m ? m[1]! : authorization.trim();
    if (token.startsWith('ltk_')) return this.keys.verify(token);
    return this.sessions.verify(token, opts.remember ?? true);
  }
}

/** The credential of a graphql-ws connection_init payload: `{ authorization }` or `{ token }`. */
export function credentialFromPayload(init: unknown): string | undefined {
  if (!init || typeof init !== 'object') return undefined;
  const p = init as Record<string, unknown>;
  const v = p.authorization ?? p.Authorization ?? p.token;
  return typeof v === 'string' ? v : undefined;
}
