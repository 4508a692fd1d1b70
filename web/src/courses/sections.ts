/**
 * The sections of a course page (`/courses/:courseId/:section`), in tab order. The URL uses the
 * lower-case name; the API's `CourseSection` enum the upper-case one.
 */
import type { CourseSection } from '../gql/graphql';

export const COURSE_SECTIONS = ['hub', 'chat', 'tutor', 'live', 'collab', 'schedule'] as const;

export type CourseSectionSlug = (typeof COURSE_SECTIONS)[number];

const DEFAULT_SECTION: CourseSectionSlug = 'hub';

interface SectionInfo {
  /** Short tab label. */
  tab: string;
  /** What the section is called in a sentence and in the deep-linking picker. */
  name: string;
  /** One line on what it is for. */
  description: string;
  /** Default title of a link to it from the LMS. */
  linkTitle: string;
  /** Whether a link to it can carry a grade (live class attendance, collab exercise). */
  gradable: boolean;
  /** Not built yet: its tab says "coming soon", and the hub says so next to its name. */
  planned: boolean;
}

export const SECTION_INFO: Record<CourseSectionSlug, SectionInfo> = {
  hub: {
    tab: 'Hub',
    name: 'Course hub',
    description: 'The course home: members, news and everything else in one place.',
    linkTitle: 'Course hub',
    gradable: false,
    planned: false,
  },
  chat: {
    tab: 'Chat',
    name: 'Chat room',
    description: 'A live chat room for everyone in the course.',
    linkTitle: 'Course chat',
    gradable: false,
    planned: false,
  },
  tutor: {
    tab: 'AI tutor',
    name: 'AI tutor',
    description: 'An AI tutor that answers questions about the course.',
    linkTitle: 'AI tutor',
    gradable: false,
    planned: false,
  },
  live: {
    tab: 'Live class',
    name: 'Live class',
    description: 'Live classes: join the meeting, raise a hand, ask and vote on questions, answer polls; attendance counts.',
    linkTitle: 'Live class',
    gradable: true,
    planned: false,
  },
  collab: {
    tab: 'Collab',
    name: 'Collab exercise',
    description: 'Write code together in real time, or hand out an exercise and watch every copy live.',
    linkTitle: 'Collab exercise',
    gradable: true,
    planned: false,
  },
  schedule: {
    tab: 'Schedule',
    name: 'Schedule',
    description: 'Sessions and office hours, in your own time zone.',
    linkTitle: 'Course schedule',
    gradable: false,
    planned: false,
  },
};

function isCourseSection(value: unknown): value is CourseSectionSlug {
  return typeof value === 'string' && (COURSE_SECTIONS as readonly string[]).includes(value);
}

/** The section a route parameter names; the hub when it is missing or unknown. */
export function sectionFromParam(param: unknown): CourseSectionSlug {
  const value = Array.isArray(param) ? param[0] : param;
  return isCourseSection(value) ? value : DEFAULT_SECTION;
}

export function toApiSection(section: CourseSectionSlug): CourseSection {
  return section.toUpperCase() as CourseSection;
}

export function coursePath(courseId: string, section: CourseSectionSlug = DEFAULT_SECTION): string {
  return `/courses/${encodeURIComponent(courseId)}/${section}`;
}
