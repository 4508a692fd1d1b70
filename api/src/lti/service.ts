/**
 * The api's side of LTI: what a platform registration, a launch, a roster sync and a grade mean for tenants,
 * courses, users and sessions. lti-tool speaks the protocol and calls these hooks; nothing here parses JWTs.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { and, asc, count, eq, isNotNull, sql } from 'drizzle-orm';
import type { Queue } from 'bullmq';
import {
  LtiError,
  mapLtiRoles,
  claimText,
  type LtiTool,
  type PlatformInfo,
  type PlatformStatus,
  type ToolHooks,
  type VerifiedLaunch,
} from '@lt/lti-tool';
import type { Db, Tx } from '../db/client.js';
import type { Realtime } from '../realtime/realtime.js';
import { courses, memberships } from '../courses/tables.js';
import { deployments, tenants } from '../tenants/tables.js';
import { resourceLinks, rosterSyncs } from './tables.js';
import { users } from '../users/tables.js';
import type { RoomService } from '../rooms/service.js';
import type { CourseService } from '../courses/service.js';
import type { ActivityService } from '../activity/service.js';
import type { SessionTokens } from '../auth/session.js';
import type { Access } from '../auth/access.js';
import type { Viewer } from '../auth/viewer.js';
import { isToolSubject, upsertUser } from '../users/service.js';
import { ensureDeployment, findTenant } from '../tenants/service.js';
import { AppError, notFound } from '../errors.js';
import { checkIdentifier, cleanLine, clip } from '../text.js';
import { INSTALLATION_ISSUER } from '../apikeys/service.js';
import { isStaff, type CourseRole } from '../courses/roles.js';
import { enqueue, type JobPayloads } from '../queue/queues.js';
import type { Logger } from '../logger.js';
import type { RateLimiter } from '../ratelimit.js';

export type RosterSync = typeof rosterSyncs.$inferSelect;
type ResourceLink = typeof resourceLinks.$inferSelect;

/** Re-sync a course roster after an instructor's launch when the last sync is older than this. */
const ROSTER_STALE_MS = 6 * 3600_000;
const FRAME_CACHE_MS = 30_000;

/** An origin as a CSP source: scheme, host and port only (anything else could inject directives). */
const CSP_ORIGIN = /^https?:\/\/[a-z0-9.[\]:-]+$/i;

/** `'self'` and the valid origins, sorted and without duplicates. */
function ancestorsValue(origins: string[]): string {
  return ["'self'", ...[...new Set(origins.filter((o) => CSP_ORIGIN.test(o)))].sort()].join(' ');
}

export interface LtiServiceDeps {
  db: Db;
  realtime: Realtime;
  courses: CourseService;
  rooms: RoomService;
  /** First launches go to the course's activity feed. */
  activity: ActivityService;
  sessions: SessionTokens;
  access: Access;
  log: Logger;
  webRoot: string;
  sessionTtlSeconds: number;
  /** Where roster syncs and grade passback go (the api and the worker both produce them). */
  ltiQueue: Queue<JobPayloads['lti']>;
  /** Dynamic registration attempts per client address (the worker, which serves no HTTP, has none). */
  registrationLimit?: { limiter: RateLimiter; limit: number; windowMs: number; keyPrefix: string };
  /**
   * Builds the protocol adapter around this service's hooks. The tool calls the service (a launch, a
   * registration) and the service calls the tool (NRPS, AGS, deep linking): rather than patching one into the
   * other afterwards, the service makes its tool in its constructor and hands itself over as the hooks.
   */
  tool: (hooks: ToolHooks) => LtiTool;
}

export class LtiService implements ToolHooks {
  readonly tool: LtiTool;
  #frames: { value: string; at: number } | null = null;
  /** The built index.html, re-read when a rebuild changes it. */
  #index: { html: string; mtimeMs: number } | null = null;

  constructor(private readonly d: LtiServiceDeps) {
    this.tool = d.tool(this);
  }

  // ------------------------------------------------------------ installation administration

  async listPlatforms(viewer: Viewer) {
    this.d.access.requireInstallationAdmin(viewer);
    const rows = await this.d.db.select().from(tenants).orderBy(tenants.issuer, tenants.clientId);
    return rows.filter((t) => t.issuer !== INSTALLATION_ISSUER);
  }

  async deploymentIds(tenantId: string): Promise<string[]> {
    const rows = await this.d.db.select({ id: deployments.deploymentId }).from(deployments).where(eq(deployments.tenantId, tenantId));
    return rows.map((r) => r.id);
  }

  async registerPlatformAsAdmin(
    viewer: Viewer,
    input: {
      issuer: string;
      clientId: string;
      name?: string | null;
      product?: 'moodle' | 'canvas' | 'generic' | null;
      authEndpoint: string;
      tokenEndpoint: string;
      jwksUrl: string;
      deploymentIds?: string[] | null;
      status?: PlatformStatus | null;
    },
  ) {
    this.d.access.requireInstallationAdmin(viewer);
    const deploymentIds = (input.deploymentIds ?? [])
      .map((d) => checkIdentifier(d, 'deploymentIds').trim())
      .filter(Boolean)
      .slice(0, 100);
    try {
      await this.tool.registerPlatform({
        issuer: checkIdentifier(input.issuer, 'issuer'),
        clientId: checkIdentifier(input.clientId, 'clientId'),
        name: clip(cleanLine(input.name ?? '', 'name', 'caller'), 200) || input.issuer,
        product: input.product ?? 'generic',
        authEndpoint: checkIdentifier(input.authEndpoint, 'authEndpoint'),
        tokenEndpoint: checkIdentifier(input.tokenEndpoint, 'tokenEndpoint'),
        jwksUrl: checkIdentifier(input.jwksUrl, 'jwksUrl'),
        deploymentIds,
        status: input.status ?? 'active',
        acceptNewDeployments: deploymentIds.length === 0,
      });
    } catch (err) {
      if (err instanceof LtiError) throw new AppError('BAD_USER_INPUT', err.message, { reason: err.code });
      throw err;
    }
    return (await findTenant(this.d.db, input.issuer, input.clientId))!;
  }

  async setPlatformStatusAsAdmin(viewer: Viewer, issuer: string, clientId: string, status: PlatformStatus) {
    this.d.access.requireInstallationAdmin(viewer);
    checkIdentifier(issuer, 'issuer');
    checkIdentifier(clientId, 'clientId');
    if (issuer === INSTALLATION_ISSUER) throw notFound('The platform');
    await this.setPlatformStatus(issuer, clientId, status);
    return (await findTenant(this.d.db, issuer, clientId))!;
  }

  // ------------------------------------------------------------ hooks for lti-tool

  async platformRegistered(p: PlatformInfo): Promise<void> {
    const [row] = await this.d.db
      .insert(tenants)
      .values({
        issuer: p.issuer,
        clientId: p.clientId,
        name: p.name,
        platform: p.product,
        status: p.status,
        acceptNewDeployments: p.acceptNewDeployments,
        frameOrigins: p.frameOrigins,
      })
      .onConflictDoUpdate({
        target: [tenants.issuer, tenants.clientId],
        set: {
          name: p.name,
          platform: p.product,
          status: p.status,
          acceptNewDeployments: p.acceptNewDeployments,
          frameOrigins: p.frameOrigins,
          updatedAt: new Date(),
        },
      })
      .returning();
    for (const dep of p.deploymentIds) await ensureDeployment(this.d.db, row!.id, dep);
    this.#frames = null;
  }

  async registrationAttempt(clientAddress: string): Promise<{ retryAfterMs: number } | null> {
    const r = this.d.registrationLimit;
    if (!r) return null;
    try {
      await r.limiter.take(`lti-register:${r.keyPrefix}:${clientAddress}`, r.limit, r.windowMs, 'Registering the tool');
      return null;
    } catch (err) {
      if (err instanceof AppError && err.extensions.code === 'RATE_LIMITED')
        return { retryAfterMs: Number(err.extensions.retryAfterMs) || r.windowMs };
      throw new LtiError('SERVICE_UNAVAILABLE', 503, 'The tool is briefly unavailable; try the registration again in a moment.');
    }
  }

  async pendingPlatforms(): Promise<number> {
    const [row] = await this.d.db.select({ n: count() }).from(tenants).where(eq(tenants.status, 'pending'));
    return row?.n ?? 0;
  }

  async platformStatus(issuer: string, clientId: string): Promise<PlatformStatus | null> {
    return ((await findTenant(this.d.db, issuer, clientId))?.status as PlatformStatus | undefined) ?? null;
  }

  async setPlatformStatus(issuer: string, clientId: string, status: PlatformStatus): Promise<void> {
    const rows = await this.d.db
      .update(tenants)
      .set({ status, updatedAt: new Date() })
      .where(and(eq(tenants.issuer, issuer), eq(tenants.clientId, clientId)))
      .returning();
    if (rows.length === 0) throw notFound('The platform');
    await this.tool.setPlatformActive(issuer, clientId, status === 'active');
    this.#frames = null;
  }

  async deploymentStatus(issuer: string, clientId: string, deploymentId: string): Promise<'known' | 'accept' | 'unknown'> {
    const t = await findTenant(this.d.db, issuer, clientId);
    if (!t) return 'unknown';
    const [dep] = await this.d.db
      .select()
      .from(deployments)
      .where(and(eq(deployments.tenantId, t.id), eq(deployments.deploymentId, deploymentId)));
    if (dep) return 'known';
    return t.acceptNewDeployments ? 'accept' : 'unknown';
  }

  /**
   * CSP frame-ancestors sources. For one platform (a launch's page): that tenant's learned origins only, plus
   * `extra` (origins read from the launch's verified id_token), never another tenant's. Without one (the app's
   * later page loads, which carry no tenant): the union of active tenants' origins. A pending or disabled
   * tenant's origins frame nothing.
   */
  async frameAncestors(platform?: { issuer: string; clientId: string }, extra: string[] = []): Promise<string> {
    if (platform) {
      const [t] = await this.d.db
        .select({ origins: tenants.frameOrigins })
        .from(tenants)
        .where(and(eq(tenants.issuer, platform.issuer), eq(tenants.clientId, platform.clientId), eq(tenants.status, 'active')));
      return ancestorsValue([...(t?.origins ?? []), ...extra]);
    }
    if (this.#frames && Date.now() - this.#frames.at < FRAME_CACHE_MS) return this.#frames.value;
    const rows = await this.d.db.select({ origins: tenants.frameOrigins }).from(tenants).where(eq(tenants.status, 'active'));
    const value = ancestorsValue(rows.flatMap((r) => r.origins));
    this.#frames = { value, at: Date.now() };
    return value;
  }

  async renderApp(handoff: { code: string; bindKey: string; storage: { target: string; origin: string } | null }): Promise<string> {
    const file = path.join(this.d.webRoot, 'index.html');
    const { mtimeMs } = await stat(file);
    if (this.#index?.mtimeMs !== mtimeMs) this.#index = { html: await readFile(file, 'utf8'), mtimeMs };
    const json = JSON.stringify(handoff).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
    return this.#index.html.replace('</head>', `<script type="application/json" id="lt-launch">${json}</script></head>`);
  }

  /** A verified launch, proven to come from this browser: provision everything and sign the user in. */
  async launch(l: VerifiedLaunch & { launchId: string }): Promise<{ token: string; expiresAt: string; redirect: string }> {
    // One transaction: the course, user, membership, link and roster source land together or not at all.
    const { tenantId, courseId, userId, roles, rosterDue, linkId } = await this.d.realtime.write(async (tx) => {
      const tenant = await findTenant(tx, l.issuer, l.clientId);
      if (!tenant) throw new AppError('NOT_FOUND', 'The platform is not registered.');
      const newOrigins = l.seenOrigins.filter((o) => !tenant.frameOrigins.includes(o));
      if (newOrigins.length) {
        // One array parameter (a plain JS array in a sql template would become a list of scalars, and one origin a
        // "malformed array literal"); origins another launch added meanwhile are not added twice.
        await tx
          .update(tenants)
          .set({
            frameOrigins: sql`array_cat(${tenants.frameOrigins}, array(select o from unnest(${sql.param(newOrigins)}::text[]) as o where o <> all(${tenants.frameOrigins})))`,
          })
          .where(eq(tenants.id, tenant.id));
        this.#frames = null;
      }
      await ensureDeployment(tx, tenant.id, l.deploymentId);
      const course = await this.d.courses.upsertCourse({
        tenantId: tenant.id,
        contextId: l.context.id,
        title: l.context.title,
        label: l.context.label,
      });
      if (isToolSubject(l.user.subject))
        throw new LtiError('RESERVED_SUBJECT', 403, 'This user id is reserved by the tool and cannot sign in.');
      const user = await upsertUser(tx, {
        tenantId: tenant.id,
        subject: l.user.subject,
        name: l.user.name,
        email: l.user.email,
        picture: l.user.picture,
        locale: l.user.locale,
        legacyUserId: l.user.legacyUserId,
      });
      const roles = l.roles as CourseRole[];
      await this.d.rooms.ensureCourseRoom(tenant.id, course.id, course.title);
      await this.d.courses.setMembership(tenant.id, course.id, user.id, roles);
      const [first] = await tx
        .update(memberships)
        .set({ launchedAt: new Date() })
        .where(and(eq(memberships.courseId, course.id), eq(memberships.userId, user.id)))
        .returning({
          before: sql<Date | null>`(select launched_at from memberships m where m.course_id = ${course.id} and m.user_id = ${user.id})`,
        });
      // The first launch into the course: say so in the course room, and in its staff's activity feed.
      if (first && first.before === null) {
        await this.d.rooms.announceJoin(tenant.id, course.id, user.id);
        await this.d.activity.recordActivity({
          tenantId: tenant.id,
          courseId: course.id,
          type: 'member.first_launch',
          actorId: user.id,
          data: { roles },
        });
      }
      let linkId: string | null = null;
      if (l.resourceLink) {
        const [link] = await tx
          .insert(resourceLinks)
          .values({
            tenantId: tenant.id,
            courseId: course.id,
            resourceLinkId: l.resourceLink.id,
            title: l.resourceLink.title,
            section: l.section,
            lineItemUrl: l.lineItemUrl,
            placement: l.placement,
          })
          .onConflictDoUpdate({
            target: [resourceLinks.courseId, resourceLinks.resourceLinkId],
            set: {
              title: l.resourceLink.title,
              section: l.section,
              lineItemUrl: l.lineItemUrl,
              placement: l.placement,
              updatedAt: new Date(),
            },
          })
          .returning({ id: resourceLinks.id });
        linkId = link?.id ?? null;
      }
      const staff = isStaff(roles);
      const rosterDue = l.membershipsUrl ? await this.#noteRosterSource(tx, tenant.id, course.id, l.membershipsUrl, staff) : false;
      return { tenantId: tenant.id, courseId: course.id, userId: user.id, roles, rosterDue, linkId };
    });
    if (rosterDue)
      await this.#enqueueRoster(courseId).catch((err) =>
        this.d.log.warn({ err: (err as Error).message, courseId }, 'lti: roster sync not queued'),
      );
    const token = await this.d.sessions.issue({ tenantId, userId, courseId, roles });
    const expiresAt = new Date(Date.now() + this.d.sessionTtlSeconds * 1000).toISOString();
    const redirect =
      l.messageType === 'LtiDeepLinkingRequest'
        ? `/deep-link/${l.launchId}`
        : // A collab activity opens the session handed out from it (the Collab tab asks collabSessionForActivity).
          l.section === 'collab' && linkId
          ? `/courses/${courseId}/collab?activity=${linkId}`
          : `/courses/${courseId}/${l.section}`;
    return { token, expiresAt, redirect };
  }

  // ------------------------------------------------------------ roster (NRPS)

  /** Remembers where the course roster lives; true when an instructor's launch should start a sync (the last is stale). */
  async #noteRosterSource(tx: Tx, tenantId: string, courseId: string, url: string, staff: boolean): Promise<boolean> {
    const [row] = await tx
      .insert(rosterSyncs)
      .values({ courseId, tenantId, status: 'never', membershipsUrl: url })
      .onConflictDoUpdate({ target: rosterSyncs.courseId, set: { membershipsUrl: url } })
      .returning();
    const stale = !row!.finishedAt || Date.now() - row!.finishedAt.getTime() > ROSTER_STALE_MS;
    return staff && stale && row!.status !== 'queued' && row!.status !== 'running';
  }

  /** The last roster sync: staff of the course, and API keys with the read scope that reach it. */
  async rosterSync(viewer: Viewer, courseId: string): Promise<RosterSync | null> {
    await this.d.access.requireCourseStaffRead(viewer, courseId);
    const [row] = await this.d.db
      .select()
      .from(rosterSyncs)
      .where(and(eq(rosterSyncs.courseId, courseId), eq(rosterSyncs.tenantId, viewer.tenantId)));
    return row && row.status !== 'never' ? row : null;
  }

  async requestRosterSync(viewer: Viewer, courseId: string): Promise<RosterSync> {
    await this.d.access.requireCourseManage(viewer, courseId);
    const [row] = await this.d.db
      .select()
      .from(rosterSyncs)
      .where(and(eq(rosterSyncs.courseId, courseId), eq(rosterSyncs.tenantId, viewer.tenantId)));
    if (!row)
      throw new AppError(
        'BAD_USER_INPUT',
        'The LMS has not offered a roster for this course (no Names and Role Provisioning service in its launches).',
        { reason: 'NO_ROSTER_SERVICE' },
      );
    if (row.status === 'queued' || row.status === 'running') return row;
    return this.#enqueueRoster(courseId);
  }

  async #enqueueRoster(courseId: string): Promise<RosterSync> {
    const q = this.d.ltiQueue;
    const [row] = await this.d.db
      .update(rosterSyncs)
      .set({ status: 'queued', error: null, updatedAt: new Date() })
      .where(eq(rosterSyncs.courseId, courseId))
      .returning();
    await enqueue(() =>
      q.add(
        'roster-sync',
        { task: 'roster-sync', courseId },
        {
          jobId: `roster-${courseId}-${Date.now()}`,
          attempts: 3,
          backoff: { type: 'exponential', delay: 2000 },
          removeOnComplete: 100,
          removeOnFail: 500,
        },
      ),
    );
    return row!;
  }

  /** The worker's part: pull every NRPS page, provision the members, report progress as pages arrive. */
  async runRosterSync(courseId: string): Promise<{ fetched: number; pages: number }> {
    const db = this.d.db;
    const [row] = await db.select().from(rosterSyncs).where(eq(rosterSyncs.courseId, courseId));
    if (!row) return { fetched: 0, pages: 0 };
    const [tenant] = await db.select().from(tenants).where(eq(tenants.id, row.tenantId));
    if (!tenant) return { fetched: 0, pages: 0 };
    await db
      .update(rosterSyncs)
      .set({ status: 'running', fetched: 0, pages: 0, error: null, startedAt: new Date(), finishedAt: null, updatedAt: new Date() })
      .where(eq(rosterSyncs.courseId, courseId));
    let fetched = 0;
    let pages = 0;
    try {
      let next: string | null = row.membershipsUrl;
      let first = true;
      const seen = new Set<string>();
      while (next) {
        const page = await this.tool.membersPage(tenant.issuer, tenant.clientId, next, first);
        first = false;
        pages++;
        for (const m of page.members) {
          const subject = claimText(m.user_id, 255);
          if (!subject || seen.has(subject) || isToolSubject(subject)) continue;
          seen.add(subject);
          const roles = mapLtiRoles(Array.isArray(m.roles) ? m.roles : []) as CourseRole[];
          // A member with no role this tool knows is a guest, as at launch (mapLtiRoles).
          if ((m.status && m.status !== 'Active') || roles.length === 0) {
            // Inactive or Deleted in the LMS: no longer a member here either.
            const [gone] = await db
              .select({ id: users.id })
              .from(users)
              .where(and(eq(users.tenantId, tenant.id), eq(users.subject, subject)));
            if (gone) await this.d.courses.removeMembership(tenant.id, courseId, gone.id);
            continue;
          }
          const name = [m.name, [m.given_name, m.family_name].filter(Boolean).join(' '), m.email, 'Unnamed user']
            .find((v) => typeof v === 'string' && v.trim())!
            .toString()
            .slice(0, 200);
          const [existing] = await db
            .select()
            .from(users)
            .where(and(eq(users.tenantId, tenant.id), eq(users.subject, subject)));
          const user =
            existing ?? (await upsertUser(db, { tenantId: tenant.id, subject, name, email: claimText(m.email, 320), picture: null }));
          await this.d.courses.setMembership(tenant.id, courseId, user.id, roles);
          fetched++;
        }
        await db.update(rosterSyncs).set({ fetched, pages, updatedAt: new Date() }).where(eq(rosterSyncs.courseId, courseId));
        next = page.next;
      }
      await db
        .update(rosterSyncs)
        .set({ status: 'done', fetched, pages, finishedAt: new Date(), updatedAt: new Date() })
        .where(eq(rosterSyncs.courseId, courseId));
      return { fetched, pages };
    } catch (err) {
      const message = String((err as Error).message ?? err).slice(0, 500);
      await db
        .update(rosterSyncs)
        .set({ status: 'failed', error: message, finishedAt: new Date(), updatedAt: new Date() })
        .where(eq(rosterSyncs.courseId, courseId));
      throw err;
    }
  }

  // ------------------------------------------------------------ grades (AGS)

  /** One resource link (null when there is none), read through `db` where given (a caller's transaction). */
  async resourceLink(id: string, db: Tx = this.d.db): Promise<ResourceLink | null> {
    const [link] = await db.select().from(resourceLinks).where(eq(resourceLinks.id, id));
    return link ?? null;
  }

  /**
   * A course's graded activities (resource links with a line item), those placed in `section` first, then by title;
   * at most `limit`.
   */
  async gradedLinks(tenantId: string, courseId: string, section: string, limit: number): Promise<{ id: string; title: string | null }[]> {
    return this.d.db
      .select({ id: resourceLinks.id, title: resourceLinks.title })
      .from(resourceLinks)
      .where(and(eq(resourceLinks.courseId, courseId), eq(resourceLinks.tenantId, tenantId), isNotNull(resourceLinks.lineItemUrl)))
      .orderBy(sql`case when ${resourceLinks.section} = ${section} then 0 else 1 end`, asc(resourceLinks.title), asc(resourceLinks.id))
      .limit(limit);
  }

  /** A course's resource links (every activity of the tool placed in it), those placed in `section` first, then by title. */
  async courseLinks(tenantId: string, courseId: string, section: string, limit: number): Promise<{ id: string; title: string | null }[]> {
    return this.d.db
      .select({ id: resourceLinks.id, title: resourceLinks.title })
      .from(resourceLinks)
      .where(and(eq(resourceLinks.courseId, courseId), eq(resourceLinks.tenantId, tenantId)))
      .orderBy(sql`case when ${resourceLinks.section} = ${section} then 0 else 1 end`, asc(resourceLinks.title), asc(resourceLinks.id))
      .limit(limit);
  }

  /**
   * Queues a score for a member on a resource link that has a line item. The job is retried with backoff and
   * kept when it finally fails, so a score is never lost silently. Returns the job id. `jobId`: BullMQ's own
   * (a job with that id already queued or kept is not added again); `origin`: what the score is of, told back when
   * it is accepted or finally refused (lti/jobs.ts).
   */
  async queueScore(input: {
    courseId: string;
    resourceLinkId: string;
    userId: string;
    scoreGiven: number;
    scoreMaximum: number;
    comment?: string;
    activityProgress?: string;
    gradingProgress?: string;
    jobId?: string;
    origin?: Extract<JobPayloads['lti'], { task: 'post-score' }>['origin'];
  }): Promise<string> {
    if (!(input.scoreMaximum > 0) || !(input.scoreGiven >= 0) || input.scoreGiven > input.scoreMaximum)
      throw new AppError('BAD_USER_INPUT', 'A score must be between 0 and its maximum, and the maximum above 0.');
    const [link] = await this.d.db
      .select()
      .from(resourceLinks)
      .where(and(eq(resourceLinks.courseId, input.courseId), eq(resourceLinks.resourceLinkId, input.resourceLinkId)));
    if (!link?.lineItemUrl)
      throw new AppError('BAD_USER_INPUT', 'This activity is not graded in the LMS (no line item).', { reason: 'NO_LINE_ITEM' });
    const q = this.d.ltiQueue;
    const job = await enqueue(() =>
      q.add(
        'post-score',
        {
          task: 'post-score',
          linkId: link.id,
          userId: input.userId,
          scoreGiven: input.scoreGiven,
          scoreMaximum: input.scoreMaximum,
          comment: input.comment ?? null,
          activityProgress: input.activityProgress ?? 'Completed',
          gradingProgress: input.gradingProgress ?? 'FullyGraded',
          ...(input.origin ? { origin: input.origin } : {}),
        },
        {
          attempts: 12,
          backoff: { type: 'exponential', delay: 5000 },
          removeOnComplete: 1000,
          removeOnFail: false,
          ...(input.jobId ? { jobId: input.jobId } : {}),
        },
      ),
    );
    return job.id!;
  }

  async runPostScore(p: Extract<JobPayloads['lti'], { task: 'post-score' }>): Promise<void> {
    const db = this.d.db;
    const [link] = await db.select().from(resourceLinks).where(eq(resourceLinks.id, p.linkId));
    if (!link?.lineItemUrl) throw new AppError('NOT_FOUND', 'The resource link or its line item is gone.');
    const [tenant] = await db.select().from(tenants).where(eq(tenants.id, link.tenantId));
    const [user] = await db
      .select()
      .from(users)
      .where(and(eq(users.id, p.userId), eq(users.tenantId, link.tenantId)));
    if (!tenant || !user) throw new AppError('NOT_FOUND', 'The platform or the user is gone.');
    await this.tool.submitScore(tenant.issuer, tenant.clientId, link.lineItemUrl, {
      userId: user.subject,
      scoreGiven: p.scoreGiven,
      scoreMaximum: p.scoreMaximum,
      activityProgress: p.activityProgress,
      gradingProgress: p.gradingProgress,
      ...(p.comment ? { comment: p.comment } : {}),
    });
  }

  // ------------------------------------------------------------ deep linking

  async deepLinkRequest(viewer: Viewer, id: string) {
    const req = await this.#ownDeepLink(viewer, id);
    return req;
  }

  async submitDeepLink(
    viewer: Viewer,
    id: string,
    items: Array<{ section: string; title: string; graded?: boolean | null; scoreMaximum?: number | null }>,
  ) {
    await this.#ownDeepLink(viewer, id);
    if (items.length === 0 || items.length > 10) throw new AppError('BAD_USER_INPUT', 'Choose from one to ten items.');
    const clean = items.map((it) => {
      const title = clip(cleanLine(it.title, 'title', 'caller'), 200);
      if (!title) throw new AppError('BAD_USER_INPUT', 'Every item needs a title.');
      const max = it.graded ? (it.scoreMaximum ?? 100) : null;
      if (max !== null && !(max > 0 && max <= 10000)) throw new AppError('BAD_USER_INPUT', 'Points must be between 0 and 10,000.');
      return { section: it.section as never, title, scoreMaximum: max };
    });
    try {
      return await this.tool.deepLinkResponse(id, clean);
    } catch (err) {
      if (err instanceof LtiError)
        throw new AppError(err.status === 404 ? 'NOT_FOUND' : 'BAD_USER_INPUT', err.message, { reason: err.code });
      throw err;
    }
  }

  /** A deep-linking request answered only by the staff member whose launch opened it. */
  async #ownDeepLink(viewer: Viewer, id: string) {
    if (viewer.kind !== 'session' || !/^[0-9a-f-]{36}$/i.test(id)) throw notFound('The deep linking request');
    const req = await this.tool.deepLinkRequest(id);
    if (!req) throw notFound('The deep linking request');
    const t = await findTenant(this.d.db, req.issuer, req.clientId);
    const [u] = t
      ? await this.d.db
          .select()
          .from(users)
          .where(and(eq(users.tenantId, t.id), eq(users.subject, req.user.subject)))
      : [];
    if (!t || !u || t.id !== viewer.tenantId || u.id !== viewer.userId) throw notFound('The deep linking request');
    const [course] = await this.d.db
      .select()
      .from(courses)
      .where(and(eq(courses.tenantId, t.id), eq(courses.contextId, req.context.id)));
    if (!course) throw notFound('The deep linking request');
    await this.d.access.requireCourseManage(viewer, course.id);
    return { ...req, courseId: course.id };
  }
}
