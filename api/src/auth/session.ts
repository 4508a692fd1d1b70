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
  private readonly key: Uint8Array;
  constructor(secret: string, private readonly ttlSeconds: number) {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(c: SessionClaims, ttlSeconds = this.ttlSeconds): Promise<string> {
    return new SignJWT({ tid: c.tenantId, cid: c.courseId, roles: c.roles })
      .setProtectedHeader({ alg: ALG, typ: 'JWT' })
      .setIssuer(ISSUER)
      .setSubject(c.userId)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .sign(this.key);
  }

  /** Verifies a token; every failure is UNAUTHENTICATED with a message that says what to do. */
  async verify(token: string): Promise<Extract<Viewer, { kind: 'session' }>> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, algorithms: [ALG] });
      const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is CourseRole => typeof r === 'string' && isCourseRole(r)) : [];
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
