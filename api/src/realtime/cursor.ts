import { AppError } from '../errors.js';

/** Stream cursors are the decimal sequence number; null or undefined means "from now on". */
export function parseSeqCursor(cursor: string | null | undefined): number | null {
  if (cursor === null || cursor === undefined) return null;
  if (!/^\d{1,15}$/.test(cursor)) throw new AppError('BAD_CURSOR', 'The cursor is not valid for this stream.');
  return Number(cursor);
}
