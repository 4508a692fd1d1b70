/** Users: an LTI `sub` inside a tenant. */
import { and, eq, inArray } from 'drizzle-orm';
import { users } from './tables.js';
import type { Tx } from '../db/client.js';
import { cleanLine, clip } from '../text.js';

export type User = typeof users.$inferSelect;

/**
 * Subjects the tool gives its own users (the AI tutor). No platform may launch or sync a user with one: a
 * launch that tried would sign in as the tutor.
 */
export const TOOL_SUBJECT_PREFIX = 'course-companion:';
export const isToolSubject = (subject: string | null | undefined) => !!subject && subject.startsWith(TOOL_SUBJECT_PREFIX);

export interface UserInput {
  tenantId: string;
  subject: string;
  name: string;
  email?: string | null;
  picture?: string | null;
  /** Launch-only facts: left unchanged when not given (a roster sync does not know them). */
  locale?: string | null;
  legacyUserId?: string | null;
}

/** A platform's text as stored: cleaned (src/text.ts: no NUL, no bidi or zero-width characters, few marks), capped. */
const platformText = (v: string | null | undefined, field: string, max: number) =>
  v == null ? v : clip(cleanLine(v, field, 'platform'), max) || null;

/** Creates or updates a user. Names come from launches and roster syncs, so they are cleaned here, once for both. */
export async function upsertUser(db: Tx, input: UserInput): Promise<User> {
  const values = {
    tenantId: input.tenantId,
    subject: input.subject,
    name: platformText(input.name, 'name', 200) ?? 'Unnamed user',
    email: platformText(input.email, 'email', 320) ?? null,
    picture: platformText(input.picture, 'picture', 2048) ?? null,
    ...(input.locale !== undefined ? { locale: platformText(input.locale, 'locale', 35) ?? null } : {}),
    ...(input.legacyUserId !== undefined ? { legacyUserId: platformText(input.legacyUserId, 'legacyUserId', 255) ?? null } : {}),
  };
  const [row] = await db
    .insert(users)
    .values(values)
    .onConflictDoUpdate({
      target: [users.tenantId, users.subject],
      set: {
        name: values.name,
        email: values.email,
        picture: values.picture,
        ...(values.locale !== undefined ? { locale: values.locale } : {}),
        ...(values.legacyUserId !== undefined ? { legacyUserId: values.legacyUserId } : {}),
        updatedAt: new Date(),
      },
    })
    .returning();
  return row!;
}

/** Users by id within one tenant: a user of another tenant is simply not found. */
export async function getUsers(db: Tx, tenantId: string, ids: readonly string[]): Promise<User[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(users)
    .where(and(eq(users.tenantId, tenantId), inArray(users.id, [...ids])));
}
