/**
 * The reads bench's data, made with the app's own code before the server starts: a fresh PostgreSQL database, one
 * tenant, C courses of N learners each with their course room, and a session token per learner for their course
 * (a learner launched from their LMS into one course). Learners are inserted in batches.
 */
import { openCore } from '../../api/src/app.js';
import { loadConfig } from '../../api/src/config.js';
import { memberships } from '../../api/src/courses/tables.js';
import { users } from '../../api/src/users/tables.js';
import { freshPgDatabase, seed } from '../../api/test/harness.js';
import { TOKEN_TTL_SECONDS } from '../fanout/setup.js';
import type { Tab } from './protocol.js';

export interface ReadsData {
  databaseUrl: string;
  dropDb: () => Promise<void>;
  tabs: Tab[];
  courses: number;
}

export async function makeReadsData(courses: number, perCourse: number, env: Record<string, string>): Promise<ReadsData> {
  const db = await freshPgDatabase();
  try {
    const config = loadConfig({ ...env, DATABASE_URL: db.url, LOG_LEVEL: 'silent', PORT: '0' }, []);
    const core = await openCore(config);
    try {
      const fx = await seed(core, 'Reads');
      const tenantId = fx.tenant.id;
      const tabs: Tab[] = [];
      for (let c = 0; c < courses; c++) {
        const course = await core.services.courses.upsertCourse({
          tenantId,
          contextId: `reads-${c}-${fx.course.id}`,
          title: `Lecture ${c + 1}`,
          label: `L${c + 1}`,
        });
        const room = await core.services.rooms.ensureCourseRoom(tenantId, course.id, course.title);
        const rows = await core.services.database.db
          .insert(users)
          .values(
            Array.from({ length: perCourse }, (_, k) => ({
              tenantId,
              subject: `reads-${course.id}-${k}`,
              name: `Student ${c + 1}.${k + 1}`,
            })),
          )
          .returning({ id: users.id });
        await core.services.database.db
          .insert(memberships)
          .values(rows.map((r) => ({ tenantId, courseId: course.id, userId: r.id, roles: ['learner'], status: 'active' })));
        for (const r of rows) {
          const token = await core.services.sessions.issue(
            { tenantId, userId: r.id, courseId: course.id, roles: ['learner'] },
            TOKEN_TTL_SECONDS,
          );
          tabs.push({ token, userId: r.id, courseId: course.id, roomId: room.id });
        }
      }
      return { databaseUrl: db.url, dropDb: db.drop, tabs, courses };
    } finally {
      await core.close();
    }
  } catch (err) {
    await db.drop().catch(() => {});
    throw err;
  }
}
