/** Tenants (one registered LMS platform each) and their deployments. Every other row carries its tenant. */
import { sql } from 'drizzle-orm';
import { boolean, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from '../db/columns.js';

/** One registered LMS platform: an issuer and the client id it gave this tool. */
export const tenants = pgTable(
  'tenants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    issuer: text('issuer').notNull(),
    clientId: text('client_id').notNull(),
    name: text('name').notNull(),
    /** 'moodle' | 'canvas' | 'generic': where platform quirks are chosen. */
    platform: text('platform').notNull().default('generic'),
    /** 'active' | 'pending' | 'disabled' */
    status: text('status').notNull().default('active'),
    /** Whether a launch from a deployment not seen before is accepted and recorded (Canvas registers no deployment). */
    acceptNewDeployments: boolean('accept_new_deployments').notNull().default(false),
    /** Origins allowed to frame the tool for this platform (CSP frame-ancestors), learned at registration and launch. */
    frameOrigins: text('frame_origins')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('tenants_issuer_client_uq').on(t.issuer, t.clientId)],
);

export const deployments = pgTable(
  'deployments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    deploymentId: text('deployment_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('deployments_tenant_deployment_uq').on(t.tenantId, t.deploymentId)],
);
