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
  | 'MESSAGE_TOO_LONG'
  | 'TOO_MANY_SUBSCRIPTIONS'
  | 'TOO_MANY_CONNECTIONS'
  // Sessions (schedule/service.ts)
  | 'SCHEDULE_CONFLICT'
  | 'SERIES_TOO_LONG'
  // Office hours (schedule/office-hours.ts)
  | 'WINDOW_OVERLAP'
  | 'WINDOW_WITHDRAWN'
  | 'SLOT_TAKEN'
  | 'ALREADY_BOOKED_AT_THAT_TIME'
  | 'BOOKING_TOO_SOON'
  | 'BOOKING_BEYOND_HORIZON'
  | 'CANCEL_TOO_LATE'
  | 'SLOTS_AVAILABLE'
  // Live classes (live/*.ts)
  | 'CLASS_NOT_LIVE'
  | 'NOT_JOINED'
  | 'CLASS_FULL'
  | 'POLL_CLOSED'
  | 'ALREADY_ANSWERED'
  | 'ALREADY_VOTED'
  | 'OWN_QUESTION'
  | 'QUESTION_CLOSED'
  | 'BBB_UNAVAILABLE'
  | 'NO_LINE_ITEM'
  // Collab sessions (collab/*.ts)
  | 'ACCESS_CODE_REQUIRED'
  | 'ACCESS_CODE_INVALID'
  | 'SESSION_FULL'
  | 'DOCUMENT_LOCKED'
  | 'DOCUMENT_TOO_LARGE'
  | 'UPDATE_TOO_LARGE'
  | 'MALFORMED_UPDATE'
  | 'OUT_OF_SYNC';

const STATUS: Partial<Record<ErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  REQUEST_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  TOO_MANY_CONNECTIONS: 429,
  MUTED: 403,
  ROOM_ARCHIVED: 403,
  MESSAGE_TOO_LONG: 413,
  UPDATE_TOO_LARGE: 413,
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

/**
 * Gives an error that has no code the one graphql-js means: an invalid variable value (a string where an Int
 * goes, an Int past 2^31 - 1, a missing required variable) is BAD_USER_INPUT; any other error outside execution
 * (no path: an unknown operation name, a document that does not validate) is GRAPHQL_VALIDATION_FAILED. Errors of
 * a field (with a path) are left to masking, which codes the unexpected ones INTERNAL_SERVER_ERROR.
 */
export function withCode(error: GraphQLError): GraphQLError {
  const ext = error.extensions as Record<string, unknown>;
  if (ext.code || error.path) return error;
  if (/^Variable "\$/.test(error.message)) ext.code = 'BAD_USER_INPUT';
  else if (/^Syntax Error/.test(error.message)) ext.code = 'GRAPHQL_PARSE_FAILED';
  else ext.code = 'GRAPHQL_VALIDATION_FAILED';
  return error;
}

/**
 * The error behind a GraphQL error when it is unexpected (not a GraphQLError of ours or of graphql-js: those are
 * meant for the caller), else null.
 */
export function isUnexpected(error: unknown): object | null {
  let e = error;
  while (e instanceof GraphQLError) {
    if (!e.originalError) return null;
    e = e.originalError;
  }
  return typeof e === 'object' && e !== null ? e : e === undefined ? null : new Error(String(e));
}

/** The client went away: an AbortError (the request's signal) or a connection reset. */
export const isAbort = (e: unknown) => {
  const x = e as { name?: string; code?: string } | null;
  return x?.name === 'AbortError' || x?.code === 'ECONNRESET' || x?.code === 'ABORT_ERR';
};

/**
 * An error as it may be logged: a failed database query's message and stack carry its parameters (message
 * bodies, hashes), so only the query text and the database's own error are kept.
 */
export function errorForLog(error: object): object {
  const e = error as {
    name?: string;
    message?: string;
    stack?: string;
    query?: unknown;
    params?: unknown;
    cause?: { message?: string; code?: string };
  };
  if (!('params' in e) || typeof e.query !== 'string') return error;
  const frames = (e.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l));
  const message = `Failed query: ${e.cause?.message ?? 'database error'}`;
  return {
    type: e.name ?? 'DrizzleQueryError',
    message,
    code: e.cause?.code,
    query: e.query,
    stack: [`${e.name ?? 'Error'}: ${message}`, ...frames].join('\n'),
  };
}
