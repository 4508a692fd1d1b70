/** People: an LTI `sub` inside a tenant. */
import { pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from '../db/columns.js';
import { tenants } from '../tenants/tables.js';

/** An LTI `sub` inside a tenant's issuer. */
export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    subject: text('subject').notNull(),
    name: text('name').notNull(),
    email: text('email'),
    picture: text('picture'),
    /** BCP 47 locale from the launch (`locale`, or launch_presentation.locale). */
    locale: text('locale'),
    /** The user's LTI 1.1 id on this platform, when sent (migrations from LTI 1.1 tools match on it). */
    legacyUserId: text('legacy_user_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('users_tenant_subject_uq').on(t.tenantId, t.subject)],
);
