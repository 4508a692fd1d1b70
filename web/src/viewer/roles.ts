import type { CourseRole } from '../graphql/types';

const LABELS: Record<CourseRole, string> = {
  INSTRUCTOR: 'Instructor',
  TEACHING_ASSISTANT: 'Teaching assistant',
  LEARNER: 'Learner',
  MENTOR: 'Mentor',
  ADMINISTRATOR: 'Administrator',
};

/** Most responsible first. */
const ORDER: readonly CourseRole[] = ['ADMINISTRATOR', 'INSTRUCTOR', 'TEACHING_ASSISTANT', 'MENTOR', 'LEARNER'];

export function roleLabel(role: CourseRole): string {
  return LABELS[role] ?? role;
}

/** Human labels for a set of roles: de-duplicated, most responsible first. */
export function roleLabels(roles: readonly CourseRole[]): string[] {
  return [...new Set(roles)]
    .sort((a, b) => rank(a) - rank(b))
    .map(roleLabel);
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

/** The most responsible of the roles, or null when there is none. */
export function primaryRole(roles: readonly CourseRole[]): CourseRole | null {
  return [...roles].sort((a, b) => rank(a) - rank(b))[0] ?? null;
}
