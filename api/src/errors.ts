/**
 * Errors a user can cause. Each carries a stable code, sent as `extensions.code`, and an HTTP status where
 * it matters. Anything else is unexpected and masked in production.
 */
import { GraphQLError } from 'graphql';

export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'BAD_CURSOR'
  | 'CURSOR_EXPIRED'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'SERVICE_UNAVAILABLE'
  | 'REQUEST_TOO_LARGE'
  | 'QUERY_TOO_DEEP'
  | 'QUERY_TOO_COMPLEX'
  | 'BAD_REQUEST'
  | 'MUTED'
  | 'ROOM_ARCHIVED'
  | 'MESSAGE_TOO_LONG';

const STATUS: Partial<Record<ErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  REQUEST_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  MUTED: 403,
  ROOM_ARCHIVED: 403,
  MESSAGE_TOO_LONG: 413,
  SERVICE_UNAVAILABLE: 503,
};

export class AppError extends GraphQLError {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    const status = STATUS[code];
    super(message, { extensions: { code, ...(status ? { http: { status } } : {}), ...extra } });
    this.code = code;
  }
}

export const notFound = (what = 'The item') => new AppError('NOT_FOUND', `${what} was not found.`);
