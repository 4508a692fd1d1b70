/** Our course roles. The LTI adapter maps platform role URIs onto these. */
export const COURSE_ROLES = ['instructor', 'teaching_assistant', 'learner', 'mentor', 'administrator', 'guest'] as const;
export type CourseRole = (typeof COURSE_ROLES)[number];

export const isCourseRole = (r: string): r is CourseRole => (COURSE_ROLES as readonly string[]).includes(r);

/** Roles that may manage a course: its settings, its API keys, moderation. */
export const STAFF_ROLES: readonly CourseRole[] = ['instructor', 'teaching_assistant', 'administrator'];
export const isStaff = (roles: readonly string[]) => roles.some((r) => (STAFF_ROLES as readonly string[]).includes(r));

/**
 * A guest: launched with an empty roles claim or only roles this tool does not know (LTI 1.3 allows both). The
 * least rights: reads the course room, nothing more (no posting, no tutor, no direct messages, no staff rights).
 */
export const isGuest = (roles: readonly string[]) => !roles.some((r) => r !== 'guest');

/** The LMS administrator role: the only one that may mint a tenant-wide API key. */
export const isAdministrator = (roles: readonly string[]) => roles.includes('administrator');
