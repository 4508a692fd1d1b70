/**
 * What the collab bench reads of the stored documents: the update log (the stored events of `collab:<documentId>`),
 * the snapshot and the compaction history, straight from the bench's database; and the final explicit compaction,
 * run through the app's own CollabDocuments.compact in this process.
 */
import pg from 'pg';
import { openCore } from '../../api/src/app.js';
import { loadConfig } from '../../api/src/config.js';
import { collabDocStream } from '../../api/src/collab/events.js';
import { round1, wallNow } from '../fanout/common.js';

export interface LogSize {
  /** Stored events still in the documents' streams (the update log), their rows' stored size (jsonb, as PostgreSQL
   * keeps it) and the Yjs bytes they carry (decoded). */
  logRows: number;
  logStoredBytes: number;
  logUpdateBytes: number;
  /** Every update ever stored (the streams' heads). */
  updatesStored: number;
  snapshotBytes: number;
  /** What compaction moved into collab_history (kept for replay): one segment per compaction. */
  historySegments: number;
  historyBytes: number;
  /** The documents' text length (collab_documents.text_length). */
  textChars: number;
}

export class Store {
  private readonly client: pg.Client;

  constructor(databaseUrl: string) {
    this.client = new pg.Client({ connectionString: databaseUrl });
  }

  async connect(): Promise<void> {
    await this.client.connect();
  }

  async size(documentIds: string[]): Promise<LogSize> {
    const streams = documentIds.map((id) => collabDocStream(id) as string);
    const q = async (sql: string, params: unknown[]) => (await this.client.query<Record<string, string | null>>(sql, params)).rows[0]!;
    const log = await q(
      `select count(*) as rows, coalesce(sum(pg_column_size(payload)), 0) as stored,
              coalesce(sum(length(decode(payload->>'update', 'base64'))), 0) as bytes
         from stream_events where stream = any($1)`,
      [streams],
    );
    const heads = await q(`select coalesce(sum(seq), 0) as n from stream_counters where stream = any($1)`, [streams]);
    const docs = await q(
      `select coalesce(sum(octet_length(snapshot)), 0) as snapshot, coalesce(sum(text_length), 0) as chars
         from collab_documents where id = any($1::uuid[])`,
      [documentIds],
    );
    const history = await q(
      `select count(*) as n, coalesce(sum(octet_length(data)), 0) as bytes from collab_history where document_id = any($1::uuid[])`,
      [documentIds],
    );
    const n = (v: string | null | undefined) => Number(v ?? 0);
    return {
      logRows: n(log.rows),
      logStoredBytes: n(log.stored),
      logUpdateBytes: n(log.bytes),
      updatesStored: n(heads.n),
      snapshotBytes: n(docs.snapshot),
      historySegments: n(history.n),
      historyBytes: n(history.bytes),
      textChars: n(docs.chars),
    };
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

/** Compacts each document now (CollabDocuments.compact, the queue handler's work) and says how long it took. */
export async function compactNow(env: Record<string, string>, databaseUrl: string, documentIds: string[]): Promise<{ ms: number }> {
  const config = loadConfig({ ...env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent', PORT: '0' }, []);
  const core = await openCore(config);
  try {
    const t0 = wallNow();
    for (const id of documentIds) await core.services.collabDocuments.compact(id);
    return { ms: round1(wallNow() - t0) };
  } finally {
    await core.close();
  }
}
