/** Our course roles. The LTI adapter maps platform role URIs onto these. */
export const COURSE_ROLES = ['instructor', 'teaching_assistant', 'learner', 'mentor', 'administrator'] as const;
export type CourseRole = (typeof COURSE_ROLES)[number];

export const isCourseRole = (r: string): r is CourseRole => (COURSE_ROLES as readonly string[]).includes(r);

/** Roles that may manage a course: its settings, its API keys, moderation. */
export const STAFF_ROLES: readonly CourseRole[] = ['instructor', 'teaching_assistant', 'administrator'];
export const isStaff = (roles: readonly string[]) => roles.some((r) => (STAFF_ROLES as readonly string[]).includes(r));
