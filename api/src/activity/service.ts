/**
 * The course activity feed and the audit log. Other features record into both inside their own write (`record*`
 * joins the caller's transaction through `realtime.write`), so an entry exists exactly when its change committed.
 */
import { activityStream } from './events.js';
import { auditLog, courseActivity } from './tables.js';
import type { Realtime } from '../realtime/realtime.js';
import type { Viewer } from '../auth/viewer.js';

export interface AuditEntry {
  tenantId: string;
  courseId: string | null;
  /** Who changed it: the viewer (a person or an API key), or null for the system (a job, a roster sync). */
  by: Viewer | null;
  entity: string;
  entityId: string;
  action: string;
  before?: unknown;
  after?: unknown;
}

export interface ActivityEntry {
  tenantId: string;
  courseId: string;
  type: string;
  actorId?: string | null;
  data?: Record<string, unknown>;
}

export class ActivityService {
  constructor(private readonly realtime: Realtime) {}

  /** Appends one audit entry inside the current write (or a new one). The table refuses updates and deletes. */
  async recordAudit(e: AuditEntry): Promise<void> {
    await this.realtime.write(async (tx) => {
      await tx.insert(auditLog).values({
        tenantId: e.tenantId,
        courseId: e.courseId,
        actorId: e.by?.kind === 'session' ? e.by.userId : e.by?.kind === 'apiKey' ? e.by.createdBy : null,
        apiKeyId: e.by?.kind === 'apiKey' ? e.by.keyId : null,
        entity: e.entity,
        entityId: e.entityId,
        action: e.action,
        before: e.before === undefined ? null : e.before,
        after: e.after === undefined ? null : e.after,
      });
    });
  }

  /** Appends one entry to the course's activity feed inside the current write, and tells its followers. */
  async recordActivity(e: ActivityEntry): Promise<void> {
    await this.realtime.write(async (tx, emit) => {
      const [row] = await tx
        .insert(courseActivity)
        .values({ tenantId: e.tenantId, courseId: e.courseId, type: e.type, actorId: e.actorId ?? null, data: e.data ?? {} })
        .returning({ id: courseActivity.id });
      await emit(activityStream(e.courseId), { tenantId: e.tenantId, type: 'activity.added', payload: { id: row!.id } });
    });
  }
}
