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
