import { AppError } from '../errors.js';
import { assertStreamName } from './events.js';

/** Stream cursors are the decimal sequence number; null or undefined means "from now on". */
export function parseSeqCursor(cursor: string | null | undefined): number | null {
  if (cursor === null || cursor === undefined) return null;
  if (!/^\d{1,15}$/.test(cursor)) throw new AppError('BAD_CURSOR', 'The cursor is not valid for this stream.');
  return Number(cursor);
}

/**
 * A cursor of a feed that merges several streams (the room list: each room and the viewer's own stream): the seq
 * of each stream, and the scope it was made for (whose list of what), so that the cursor of another list is
 * refused rather than followed. Opaque to clients (base64url of JSON); a stream it does not name has no position.
 */
export function encodeStreamsCursor(scope: string, positions: ReadonlyMap<string, number>): string {
  const p: Record<string, number> = {};
  for (const [stream, seq] of positions) p[stream] = seq;
  return Buffer.from(JSON.stringify({ v: 1, s: scope, p }), 'utf8').toString('base64url');
}

/** A room list names at most 500 rooms (RoomService.listRooms) of about 50 bytes each. */
const MAX_STREAMS_CURSOR = 64 * 1024;

/** The positions of a cursor made by `encodeStreamsCursor` for `scope`; null for none (from now on). */
export function parseStreamsCursor(cursor: string | null | undefined, scope: string): Map<string, number> | null {
  if (cursor === null || cursor === undefined) return null;
  const bad = () => new AppError('BAD_CURSOR', 'The cursor is not valid for this list.');
  if (cursor.length > MAX_STREAMS_CURSOR || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw bad();
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (typeof v !== 'object' || v === null || (v as { v?: unknown }).v !== 1) throw bad();
  const { s, p } = v as { s?: unknown; p?: unknown };
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw bad();
  if (s !== scope) throw new AppError('BAD_CURSOR', 'The cursor belongs to another list: take the cursor of this one.');
  const out = new Map<string, number>();
  for (const [stream, seq] of Object.entries(p)) {
    try {
      assertStreamName(stream);
    } catch {
      throw bad();
    }
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) throw bad();
    out.set(stream, seq);
  }
  return out;
}
