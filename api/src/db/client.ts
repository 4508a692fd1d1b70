/**
 * The data layer: PostgreSQL through drizzle-orm. With DATABASE_URL, a node-postgres pool; without it, an
 * embedded PGlite persisted under the data directory. Same schema, same migrations, same SQL.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';

// No schema is handed to drizzle: queries name the feature's tables (imported from its tables.ts), never
// `db.query.*`, so there is no barrel of every table to build one from.
export type Db = PgDatabase<PgQueryResultHKT>;
/** A transaction or the database: services accept either so they compose inside one transaction. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0] | Db;

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** Runs `select 1`; throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

import { migrationsFolder } from '../paths.js';
export { migrationsFolder };
/** Arbitrary constant: the advisory lock that serialises migrations across instances starting together. */
const MIGRATION_LOCK = 7_245_019_331;

export interface OpenOptions {
  databaseUrl?: string;
  /** Directory for PGlite's files; `memory://` keeps it in memory (tests). */
  pgliteDir?: string;
  poolMax?: number;
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.databaseUrl) {
    const pg = (await import('pg')).default;
    const { drizzle } = await import('drizzle-orm/node-postgres');
    const { migrate } = await import('drizzle-orm/node-postgres/migrator');
    // bigint columns are declared mode 'number'; int8 arrives as text from pg, and counts fit in 2^53.
    const lockClient = new pg.Client({ connectionString: opts.databaseUrl });
    await lockClient.connect();
    try {
      await lockClient.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await migrate(drizzle(lockClient), { migrationsFolder });
    } finally {
      await lockClient.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
      await lockClient.end();
    }
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolMax ?? 10 });
    pool.on('error', () => {
      /* an idle client lost its connection; the pool replaces it */
    });
    const db = drizzle(pool) as unknown as Db;
    return {
      db,
      kind: 'postgres',
      ping: async () => {
        await pool.query('select 1');
      },
      close: () => pool.end(),
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  // btree_gist: the exclusion constraints that keep office-hours bookings from overlapping (migration 0009).
  const { btree_gist } = await import('@electric-sql/pglite/contrib/btree_gist');
  const dir = opts.pgliteDir ?? './data/pglite';
  if (!dir.startsWith('memory://')) mkdirSync(path.dirname(path.resolve(dir)), { recursive: true });
  const client = new PGlite(dir, { extensions: { btree_gist } });
  await client.waitReady;
  const db = drizzle(client);
  await migrate(db, { migrationsFolder });
  return {
    db: db as unknown as Db,
    kind: 'pglite',
    ping: async () => {
      await client.query('select 1');
    },
    close: () => client.close(),
  };
}

/** Rows of a raw SQL statement, the same shape on node-postgres and PGlite. */
export async function rows<T>(db: Tx, query: ReturnType<typeof sql>): Promise<T[]> {
  const res = (await db.execute(query)) as unknown as { rows: T[] };
  return res.rows;
}
