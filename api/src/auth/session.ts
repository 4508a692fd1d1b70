/**
 * Session tokens: short-lived, HMAC-signed JWTs carrying tenant, user, course and roles. The SPA sends one as
 * a Bearer header and in the graphql-ws connection_init payload (LMS iframes often block third-party cookies).
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { AppError } from '../errors.js';
import { isCourseRole, type CourseRole } from '../courses/roles.js';
import type { Viewer } from './viewer.js';

const ISSUER = 'lt-session';
const ALG = 'HS256';

export interface SessionClaims {
  tenantId: string;
  userId: string;
  courseId: string | null;
  roles: CourseRole[];
}

export class SessionTokens {
  /** Imported once: handing jose the raw secret made it import the key again for every token. */
  private readonly key: Promise<CryptoKey>;
  /**
   * Tokens already verified, until they expire: a client sends the same token with every request, and checking
   * its signature again each time was a tenth of a request's CPU. Bounded; the oldest entries go first.
   */
  private readonly verified = new Map<string, Extract<Viewer, { kind: 'session' }>>();
  static readonly CACHE_SIZE = 10_000;

  constructor(
    secret: string,
    readonly ttlSeconds: number,
  ) {
    this.key = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);
  }

  async issue(c: SessionClaims, ttlSeconds = this.ttlSeconds): Promise<string> {
    return new SignJWT({ tid: c.tenantId, cid: c.courseId, roles: c.roles })
      .setProtectedHeader({ alg: ALG, typ: 'JWT' })
      .setIssuer(ISSUER)
      .setSubject(c.userId)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .sign(await this.key);
  }

  /** Verifies a token; every failure is UNAUTHENTICATED with a message that says what to do. */
  async verify(token: string, remember = true): Promise<Extract<Viewer, { kind: 'session' }>> {
    const known = this.verified.get(token);
    if (known && known.expiresAt > Date.now()) return { ...known, roles: [...known.roles] };
    if (known) this.verified.delete(token);
    const viewer = await this.check(token);
    if (!remember) return viewer;
    if (this.verified.size >= SessionTokens.CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, viewer);
    return { ...viewer, roles: [...viewer.roles] };
  }

  private async check(token: string): Promise<Extract<Viewer, { kind: 'session' }>> {
    try {
      const { payload } = await jwtVerify(token, await this.key, { issuer: ISSUER, algorithms: [ALG] });
      const roles = Array.isArray(payload.roles)
        ? payload.roles.filter((r): r is CourseRole => typeof r === 'string' && isCourseRole(r))
        : [];
      if (typeof payload.sub !== 'string' || typeof payload.tid !== 'string' || typeof payload.exp !== 'number') {
        throw new AppError('UNAUTHENTICATED', 'The session token is malformed. Open the tool again from your course.');
      }
      return {
        kind: 'session',
        tenantId: payload.tid,
        userId: payload.sub,
        courseId: typeof payload.cid === 'string' ? payload.cid : null,
        roles,
        expiresAt: payload.exp * 1000,
      };
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (err instanceof joseErrors.JWTExpired) {
        throw new AppError('UNAUTHENTICATED', 'Your session has expired. Open the tool again from your course.', { reason: 'expired' });
      }
      throw new AppError('UNAUTHENTICATED', 'The session token is not valid. Open the tool again from your course.', { reason: 'invalid' });
    }
  }
}
