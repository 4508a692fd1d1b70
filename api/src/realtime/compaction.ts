/** Deletes stream events older than the retention period; subscriptions with older cursors get CURSOR_EXPIRED. */
import { lt } from 'drizzle-orm';
import { streamEvents } from './tables.js';
import type { Tx } from '../db/client.js';

export async function compactStreams(db: Tx, retentionDays: number, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  const deleted = await db.delete(streamEvents).where(lt(streamEvents.createdAt, cutoff)).returning({ seq: streamEvents.seq });
  return deleted.length;
}
