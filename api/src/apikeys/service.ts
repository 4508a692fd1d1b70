/**
 * Integrator API keys, issued per tenant by an instructor or admin. The secret is shown once; only its
 * SHA-256 is stored. A key reads `ltk_<prefix>_<secret>`: the prefix finds the row, the secret is compared in
 * constant time. Revocation reaches every instance at once (control message) and ends open subscriptions.
 *
 * A key never reaches further than the person who created it. Its reach is a list of courses (staff: only
 * courses they are staff of, by default the course they are signed into) or the whole tenant (LMS
 * administrators only), and Access re-checks it against the creator's current roles on every use. Staff list
 * and revoke their own keys; administrators list and revoke every key of the tenant.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, desc, eq, isNull, type SQL } from 'drizzle-orm';
import { apiKeys } from './tables.js';
import { tenants } from '../tenants/tables.js';
import type { Tx } from '../db/client.js';
import type { Realtime } from '../realtime/realtime.js';
import { isUuid, type Access } from '../auth/access.js';
import { API_KEY_SCOPES, GRANTABLE_SCOPES, type ApiKeyScope, type Viewer } from '../auth/viewer.js';

/** The issuer of the tenant that holds installation administrators' keys; no platform has it. */
export const INSTALLATION_ISSUER = 'urn:course-companion:installation';
import { AppError, notFound } from '../errors.js';
import { cleanLine, clip } from '../text.js';
import { isStaff } from '../courses/roles.js';

/** How many courses one key may name. */
export const MAX_KEY_COURSES = 100;

export type ApiKey = typeof apiKeys.$inferSelect;
const KEY_FORMAT = /^ltk_([A-Za-z0-9_-]{16})_([A-Za-z0-9_-]{43})$/;
const hash = (secret: string) => createHash('sha256').update(secret).digest();
const LAST_USED_EVERY_MS = 60_000;

export class ApiKeyService {
  private lastUsedWritten = new Map<string, number>();

  constructor(
    private readonly db: Tx,
    private readonly realtime: Realtime,
    private readonly access: Access,
  ) {}

  /**
   * Only staff of the signed-in course or an LMS administrator may manage keys; `admin` says whether the viewer
   * is an administrator of the tenant now (then they see and revoke every key of the tenant).
   */
  private async requireManager(viewer: Viewer): Promise<{ tenantId: string; userId: string; courseId: string | null; admin: boolean }> {
    if (viewer.kind !== 'session')
      throw new AppError('FORBIDDEN', 'API keys are managed by instructors and administrators, not by other keys.');
    const membership = viewer.courseId ? await this.access.membership(viewer.courseId, viewer.userId) : null;
    const roles = viewer.courseId ? (membership?.active ? membership.roles : []) : viewer.roles;
    const admin = await this.access.isTenantAdmin(viewer.tenantId, viewer.userId);
    if (!isStaff(roles) && !admin) throw new AppError('FORBIDDEN', 'Only instructors and administrators can manage API keys.');
    return { tenantId: viewer.tenantId, userId: viewer.userId, courseId: viewer.courseId, admin };
  }

  /** Which keys a manager sees and revokes: an administrator every key of the tenant, staff their own. */
  private managed(m: { tenantId: string; userId: string; admin: boolean }): SQL {
    return m.admin ? eq(apiKeys.tenantId, m.tenantId) : and(eq(apiKeys.tenantId, m.tenantId), eq(apiKeys.createdBy, m.userId))!;
  }

  /** The reach a creator asked for, checked against what they may give now. */
  private async reachOf(
    m: { tenantId: string; userId: string; courseId: string | null; admin: boolean },
    input: { courseIds?: readonly string[] | null; tenantWide?: boolean | null },
  ): Promise<{ courseIds: string[]; tenantWide: boolean }> {
    if (input.tenantWide) {
      if (input.courseIds?.length)
        throw new AppError('BAD_USER_INPUT', 'A key reaches either the whole platform or a list of courses, not both.', {
          field: 'courseIds',
        });
      if (!m.admin)
        throw new AppError('FORBIDDEN', 'Only an LMS administrator can create a key that reaches every course.', {
          reason: 'NOT_ADMINISTRATOR',
        });
      return { courseIds: [], tenantWide: true };
    }
    const courseIds = [...new Set(input.courseIds ?? (m.courseId ? [m.courseId] : []))];
    if (courseIds.length === 0) throw new AppError('BAD_USER_INPUT', 'Choose the courses the key may reach.', { field: 'courseIds' });
    if (courseIds.length > MAX_KEY_COURSES)
      throw new AppError('BAD_USER_INPUT', `A key may name at most ${MAX_KEY_COURSES} courses.`, { field: 'courseIds' });
    for (const id of courseIds) {
      const cm = isUuid(id) ? await this.access.membership(id, m.userId) : null;
      if (!cm || !cm.active || cm.tenantId !== m.tenantId || !isStaff(cm.roles)) {
        throw new AppError('FORBIDDEN', 'A key can reach only courses you teach or assist in.', {
          field: 'courseIds',
          courseId: id,
          reason: 'NOT_STAFF_OF_COURSE',
        });
      }
    }
    return { courseIds, tenantWide: false };
  }

  async create(
    viewer: Viewer,
    input: { name: string; scopes: string[]; expiresAt?: Date | null; courseIds?: readonly string[] | null; tenantWide?: boolean | null },
  ): Promise<{ key: ApiKey; secret: string }> {
    const manager = await this.requireManager(viewer);
    const { tenantId, userId } = manager;
    const name = cleanLine(input.name, 'name', 'caller');
    if (name.length < 1 || name.length > 100)
      throw new AppError('BAD_USER_INPUT', 'The key name must have 1 to 100 characters.', { field: 'name' });
    const scopes = [...new Set(input.scopes)];
    if (scopes.length === 0 || !scopes.every((s): s is ApiKeyScope => (GRANTABLE_SCOPES as readonly string[]).includes(s))) {
      throw new AppError('BAD_USER_INPUT', `Scopes must be some of: ${GRANTABLE_SCOPES.join(', ')}.`, { field: 'scopes' });
    }
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
      throw new AppError('BAD_USER_INPUT', 'The expiry must be in the future.', { field: 'expiresAt' });
    }
    const reach = await this.reachOf(manager, input);
    const prefix = randomBytes(12).toString('base64url');
    const secretPart = randomBytes(32).toString('base64url');
    const [key] = await this.db
      .insert(apiKeys)
      .values({
        tenantId,
        name,
        prefix,
        secretHash: hash(secretPart).toString('hex'),
        scopes,
        createdBy: userId,
        expiresAt: input.expiresAt ?? null,
        courseIds: reach.courseIds,
        tenantWide: reach.tenantWide,
      })
      .returning();
    return { key: key!, secret: `ltk_${prefix}_${secretPart}` };
  }

  /**
   * An installation administrator's key (scopes admin and read), for managing LTI platforms over GraphQL. Held by
   * a tenant of its own that no platform launches into. Only the server's command line calls this.
   */
  async createInstallationAdminKey(name: string): Promise<{ key: ApiKey; secret: string }> {
    const [tenant] = await this.db
      .insert(tenants)
      .values({ issuer: INSTALLATION_ISSUER, clientId: 'admin', name: 'Installation administration', status: 'disabled' })
      .onConflictDoUpdate({ target: [tenants.issuer, tenants.clientId], set: { updatedAt: new Date() } })
      .returning();
    const prefix = randomBytes(12).toString('base64url');
    const secretPart = randomBytes(32).toString('base64url');
    const [key] = await this.db
      .insert(apiKeys)
      .values({
        tenantId: tenant!.id,
        name: clip(cleanLine(name, 'name', 'caller'), 100) || 'admin',
        prefix,
        secretHash: hash(secretPart).toString('hex'),
        scopes: ['admin', 'read'],
      })
      .returning();
    return { key: key!, secret: `ltk_${prefix}_${secretPart}` };
  }

  /** Staff see the keys they created; administrators every key of the tenant. */
  async list(viewer: Viewer): Promise<ApiKey[]> {
    const manager = await this.requireManager(viewer);
    return this.db.select().from(apiKeys).where(this.managed(manager)).orderBy(desc(apiKeys.createdAt)).limit(500);
  }

  /** The creator or an administrator revokes; anyone else gets NOT_FOUND (a key they cannot list). */
  async revoke(viewer: Viewer, id: string): Promise<ApiKey> {
    const manager = await this.requireManager(viewer);
    if (!isUuid(id)) throw notFound('The API key');
    const mine = this.managed(manager);
    const row = await this.realtime.write(async (tx, _emit, invalidate) => {
      const [r] = await tx
        .update(apiKeys)
        .set({ revokedAt: new Date() })
        .where(and(eq(apiKeys.id, id), mine, isNull(apiKeys.revokedAt)))
        .returning();
      if (r) invalidate({ t: 'apiKey', keyId: r.id });
      return r;
    });
    if (!row) {
      const [existing] = await this.db
        .select()
        .from(apiKeys)
        .where(and(eq(apiKeys.id, id), mine));
      if (!existing) throw notFound('The API key');
      return existing; // revoking twice is harmless
    }
    return row;
  }

  /** Resolves a presented key to a viewer, or throws UNAUTHENTICATED. */
  async verify(presented: string): Promise<Extract<Viewer, { kind: 'apiKey' }>> {
    const m = KEY_FORMAT.exec(presented);
    const invalid = () => new AppError('UNAUTHENTICATED', 'The API key is not valid.');
    if (!m) throw invalid();
    const [row] = await this.db.select().from(apiKeys).where(eq(apiKeys.prefix, m[1]!));
    if (!row) throw invalid();
    const expected = Buffer.from(row.secretHash, 'hex');
    const given = hash(m[2]!);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid();
    if (row.revokedAt) throw new AppError('UNAUTHENTICATED', 'This API key has been revoked.');
    if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) throw new AppError('UNAUTHENTICATED', 'This API key has expired.');
    const now = Date.now();
    if (now - (this.lastUsedWritten.get(row.id) ?? 0) > LAST_USED_EVERY_MS) {
      this.lastUsedWritten.set(row.id, now);
      await this.db
        .update(apiKeys)
        .set({ lastUsedAt: new Date(now) })
        .where(eq(apiKeys.id, row.id));
    }
    return {
      kind: 'apiKey',
      tenantId: row.tenantId,
      keyId: row.id,
      scopes: row.scopes.filter((s): s is ApiKeyScope => (API_KEY_SCOPES as readonly string[]).includes(s)),
      createdBy: row.createdBy,
      courseIds: row.courseIds,
      tenantWide: row.tenantWide,
      expiresAt: row.expiresAt ? row.expiresAt.getTime() : null,
    };
  }
}
