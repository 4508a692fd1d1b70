/**
 * Keyset pagination for relay-style connections: cursors are opaque (base64url of the sort key), pages are
 * bounded, and both directions work. Services build the query; this module only checks the arguments and
 * shapes the page.
 */
import { desc, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { AppError } from '../errors.js';
import { hasLoneSurrogate } from '../text.js';

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface PageRequest<K> {
  direction: 'forward' | 'backward';
  limit: number;
  /** Decoded cursor: forward pages start after it, backward pages end before it. */
  cursor: K | null;
}

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

/**
 * A page of a list that its reader then follows live: `cursor` is the position of the list's stream that the page
 * reflects (read before the page, so the page is at least as new), to pass as `after` to the list's subscription.
 */
export interface FollowedPage<T> extends Page<T> {
  cursor: string;
}

export const MAX_PAGE = 100;
const DEFAULT_PAGE = 20;

export function encodeCursor(key: unknown): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** A string PostgreSQL can take as a parameter: no NUL, no lone surrogate (they made a forged cursor a 500). */
const storable = (v: unknown): boolean =>
  typeof v === 'string' ? !v.includes('\u0000') && !hasLoneSurrogate(v) : Array.isArray(v) ? v.every(storable) : true;

/** An instant as our cursors write it (`Date#toISOString` of a four-digit year), not any text Date.parse takes. */
export const isCursorTime = (v: unknown): v is string =>
  typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(v) && !Number.isNaN(Date.parse(v));

export function decodeCursor<K>(cursor: string, check: (v: unknown) => v is K): K {
  try {
    if (cursor.length > 1024) throw new Error('too long');
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (storable(v) && check(v)) return v;
  } catch {
    /* fall through */
  }
  throw new AppError('BAD_CURSOR', 'The cursor is not valid for this list.');
}

export function pageRequest<K>(args: PageArgs, check: (v: unknown) => v is K): PageRequest<K> {
  const { first, after, last, before } = args;
  if (first != null && last != null) throw new AppError('BAD_USER_INPUT', 'Pass either first or last, not both.');
  // One window bound per page: first/after pages forward, last/before backward. A second bound would be
  // silently ignored, so it is refused.
  if (after != null && before != null) throw new AppError('BAD_USER_INPUT', 'Pass either after or before, not both.');
  if ((first != null && before != null) || (last != null && after != null)) {
    throw new AppError('BAD_USER_INPUT', 'Use first with after, and last with before.');
  }
  for (const [name, n] of [
    ['first', first],
    ['last', last],
  ] as const) {
    if (n != null && (!Number.isInteger(n) || n < 0 || n > MAX_PAGE)) {
      throw new AppError('BAD_USER_INPUT', `${name} must be between 0 and ${MAX_PAGE}.`);
    }
  }
  if (last != null || (before != null && first == null)) {
    return { direction: 'backward', limit: last ?? DEFAULT_PAGE, cursor: before != null ? decodeCursor(before, check) : null };
  }
  return { direction: 'forward', limit: first ?? DEFAULT_PAGE, cursor: after != null ? decodeCursor(after, check) : null };
}

/**
 * Shapes rows fetched with limit + 1 (in the page's direction) into a connection. `key` gives a row's sort
 * key, which becomes its cursor.
 */
export function toPage<T, K>(req: PageRequest<K>, rows: T[], key: (row: T) => K): Page<T> {
  const more = rows.length > req.limit;
  const slice = rows.slice(0, req.limit);
  if (req.direction === 'backward') slice.reverse();
  const edges = slice.map((node) => ({ cursor: encodeCursor(key(node)), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: req.direction === 'forward' ? more : req.cursor !== null,
      hasPreviousPage: req.direction === 'backward' ? more : req.cursor !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/** A newest-first list's sort key as its cursors hold it: the row's creation instant (ISO) and its id. */
export type TimeIdKey = [string, string];
export const isTimeIdKey = (v: unknown): v is TimeIdKey =>
  Array.isArray(v) &&
  v.length === 2 &&
  isCursorTime(v[0]) &&
  typeof v[1] === 'string' &&
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v[1]);
export const timeIdKeyOf = (row: { createdAt: Date; id: string }): TimeIdKey => [row.createdAt.toISOString(), row.id];

/**
 * The keyset of a newest-first list ordered by (created_at, id): the condition that starts a page after (forward,
 * back in time) or before (backward) its cursor, and the order to read the rows in.
 */
export function newestFirst(req: PageRequest<TimeIdKey>, createdAt: AnyColumn, id: AnyColumn): { after: SQL | null; orderBy: SQL[] } {
  const key = sql`(${createdAt}, ${id})`;
  let after: SQL | null = null;
  if (req.cursor) {
    const [t, rowId] = req.cursor;
    after =
      req.direction === 'forward' ? sql`${key} < (${t}::timestamptz, ${rowId}::uuid)` : sql`${key} > (${t}::timestamptz, ${rowId}::uuid)`;
  }
  const orderBy = req.direction === 'forward' ? [desc(createdAt), desc(id)] : [sql`${createdAt} asc`, sql`${id} asc`];
  return { after, orderBy };
}
