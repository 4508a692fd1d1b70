/** Tenants (registered LMS platforms) and their deployments. */
import { and, eq } from 'drizzle-orm';
import { deployments, tenants } from './tables.js';
import type { Tx } from '../db/client.js';

export type Tenant = typeof tenants.$inferSelect;
export type Platform = 'moodle' | 'canvas' | 'generic';

export interface TenantInput {
  issuer: string;
  clientId: string;
  name: string;
  platform?: Platform;
  status?: 'active' | 'pending' | 'disabled';
}

export async function upsertTenant(db: Tx, input: TenantInput): Promise<Tenant> {
  const [row] = await db
    .insert(tenants)
    .values({
      issuer: input.issuer,
      clientId: input.clientId,
      name: input.name,
      platform: input.platform ?? 'generic',
      status: input.status ?? 'active',
    })
    .onConflictDoUpdate({
      target: [tenants.issuer, tenants.clientId],
      set: { name: input.name, ...(input.platform ? { platform: input.platform } : {}), updatedAt: new Date() },
    })
    .returning();
  return row!;
}

export async function getTenant(db: Tx, id: string): Promise<Tenant | null> {
  const [row] = await db.select().from(tenants).where(eq(tenants.id, id));
  return row ?? null;
}

export async function findTenant(db: Tx, issuer: string, clientId: string): Promise<Tenant | null> {
  const [row] = await db
    .select()
    .from(tenants)
    .where(and(eq(tenants.issuer, issuer), eq(tenants.clientId, clientId)));
  return row ?? null;
}

/** Records a deployment of a tenant; idempotent. */
export async function ensureDeployment(db: Tx, tenantId: string, deploymentId: string): Promise<typeof deployments.$inferSelect> {
  await db.insert(deployments).values({ tenantId, deploymentId }).onConflictDoNothing();
  const [row] = await db
    .select()
    .from(deployments)
    .where(and(eq(deployments.tenantId, tenantId), eq(deployments.deploymentId, deploymentId)));
  return row!;
}
