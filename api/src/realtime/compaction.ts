/**
 * Deletes stream events older than the retention period; subscriptions with older cursors get CURSOR_EXPIRED. Durable
 * streams (a collab document's update log) are left to their feature.
 */
import { and, lt, sql } from 'drizzle-orm';
import { streamEvents } from './tables.js';
import { durableStreamKinds } from './events.js';
import type { Tx } from '../db/client.js';

export async function compactStreams(db: Tx, retentionDays: number, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  const kinds = durableStreamKinds();
  const keep = kinds.length
    ? sql`split_part(${streamEvents.stream}, ':', 1) not in (${sql.join(
        kinds.map((k) => sql`${k}`),
        sql`, `,
      )})`
    : undefined;
  const deleted = await db
    .delete(streamEvents)
    .where(and(lt(streamEvents.createdAt, cutoff), keep))
    .returning({ seq: streamEvents.seq });
  return deleted.length;
}
