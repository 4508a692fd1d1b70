import type { CourseRole } from '../gql/graphql';

const LABELS: Record<CourseRole, string> = {
  INSTRUCTOR: 'Instructor',
  TEACHING_ASSISTANT: 'Teaching assistant',
  LEARNER: 'Learner',
  MENTOR: 'Mentor',
  ADMINISTRATOR: 'Administrator',
  GUEST: 'Guest',
};

/** Most responsible first. */
const ORDER: readonly CourseRole[] = ['ADMINISTRATOR', 'INSTRUCTOR', 'TEACHING_ASSISTANT', 'MENTOR', 'LEARNER', 'GUEST'];

export function roleLabel(role: CourseRole): string {
  return LABELS[role] ?? role;
}

/** Human labels for a set of roles: de-duplicated, most responsible first. */
export function roleLabels(roles: readonly CourseRole[]): string[] {
  return [...new Set(roles)].sort((a, b) => rank(a) - rank(b)).map(roleLabel);
}

function rank(role: CourseRole): number {
  const index = ORDER.indexOf(role);
  return index === -1 ? ORDER.length : index;
}

/** Roles that run a course: they see its members and manage its roster. */
const STAFF: readonly CourseRole[] = ['ADMINISTRATOR', 'INSTRUCTOR', 'TEACHING_ASSISTANT'];

export function isStaff(roles: readonly CourseRole[]): boolean {
  return roles.some((role) => STAFF.includes(role));
}

/**
 * A guest of the course (launched with no role the tool knows): reads the course room, nothing more. The app
 * offers a guest nothing the API would refuse (no tutor, no direct messages, no posting).
 */
export function isGuest(roles: readonly CourseRole[]): boolean {
  return roles.length > 0 && roles.every((role) => role === 'GUEST');
}

/** The most responsible of the roles, or null when there is none. */
export function primaryRole(roles: readonly CourseRole[]): CourseRole | null {
  return [...roles].sort((a, b) => rank(a) - rank(b))[0] ?? null;
}
