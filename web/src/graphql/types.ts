/**
 * TypeScript shapes of the GraphQL schema types the web app reads.
 * Hand-written for now (no codegen in the repo yet); keep them in step with the API schema.
 */
export type ViewerKind = 'SESSION' | 'API_KEY';

export type CourseRole = 'INSTRUCTOR' | 'TEACHING_ASSISTANT' | 'LEARNER' | 'MENTOR' | 'ADMINISTRATOR' | 'GUEST';

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export type CourseSection = 'HUB' | 'CHAT' | 'TUTOR' | 'LIVE' | 'COLLAB' | 'SCHEDULE';

export type RosterSyncStatus = 'QUEUED' | 'RUNNING' | 'DONE' | 'FAILED';

export interface RosterSync {
  __typename?: 'RosterSync';
  status: RosterSyncStatus;
  /** Members fetched from the LMS so far (all of them once DONE). */
  fetched: number;
  pages: number;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
}
