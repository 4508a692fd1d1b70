/**
 * The table behind ltijs's database plugin (see pg-store.ts): one row per ltijs document, all nine
 * collections in one table. Listed in api/drizzle.config.ts so that drizzle-kit generates its migration.
 */
import { sql } from 'drizzle-orm';
import { bigint, index, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/** A unique btree index on top-level keys of `doc`, for the rows of one collection only. */
const uniqueDocKeys = (name: string, collection: string, key: string, ...more: string[]) => {
  const expr = (k: string) => sql.raw(`("doc" -> '${k}')`);
  return uniqueIndex(name)
    .on(expr(key), ...more.map(expr))
    .where(sql.raw(`"collection" = '${collection}'`));
};

export const ltiStore = pgTable(
  'lti_store',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** The ltijs collection: idtoken, contexttoken, platform, platformStatus, publickey, privatekey, accesstoken, nonce, state. */
    collection: text('collection').notNull(),
    /** The document as ltijs stores it; encrypted collections hold `{ ...index, iv, data }`. */
    doc: jsonb('doc').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** created_at + the collection's TTL; null when the collection has none. Expired rows are invisible. */
    expiresAt: timestamp('expires_at', { withTimezone: true }),
  },
  (t) => [
    index('lti_store_collection_idx').on(t.collection),
    // Equality queries are containment queries (`doc @> '{"kid": "..."}'`), which jsonb_path_ops serves.
    index('lti_store_doc_gin').using('gin', t.doc.op('jsonb_path_ops')),
    index('lti_store_expires_at_idx')
      .on(t.expiresAt)
      .where(sql`${t.expiresAt} is not null`),
    // The unique indexes of ltijs's mongoose schemas (Utils/Database.js). jsonb values compare with their types.
    uniqueDocKeys('lti_store_platform_url_client_uq', 'platform', 'platformUrl', 'clientId'),
    uniqueDocKeys('lti_store_platform_kid_uq', 'platform', 'kid'),
    uniqueDocKeys('lti_store_publickey_kid_uq', 'publickey', 'kid'),
    uniqueDocKeys('lti_store_privatekey_kid_uq', 'privatekey', 'kid'),
    uniqueDocKeys('lti_store_platform_status_id_uq', 'platformStatus', 'id'),
    uniqueDocKeys('lti_store_accesstoken_uq', 'accesstoken', 'platformUrl', 'clientId', 'scopes'),
    uniqueDocKeys('lti_store_state_uq', 'state', 'state'),
  ],
);

/**
 * One OIDC login and what follows it. The login step creates the row (state, nonce, a hash of the browser's
 * binding secret); the launch step fills in the validated claims and a hash of a one-time code; the exchange
 * step consumes the code once, in the browser that holds the binding secret. Deep-linking requests keep their
 * row until `expires_at` so the picker can answer them.
 */
export const ltiLaunches = pgTable(
  'lti_launches',
  {
    id: text('id').primaryKey(),
    state: text('state').notNull(),
    nonce: text('nonce').notNull(),
    issuer: text('issuer').notNull(),
    clientId: text('client_id').notNull(),
    bindingHash: text('binding_hash').notNull(),
    targetLinkUri: text('target_link_uri').notNull(),
    storageTarget: text('storage_target'),
    storageOrigin: text('storage_origin'),
    codeHash: text('code_hash'),
    /** The validated id_token payload, once the launch step has checked it. */
    claims: jsonb('claims'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    launchedAt: timestamp('launched_at', { withTimezone: true }),
    exchangedAt: timestamp('exchanged_at', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('lti_launches_state_uq').on(t.state),
    uniqueIndex('lti_launches_code_uq').on(t.codeHash),
    index('lti_launches_expires_idx').on(t.expiresAt),
  ],
);
