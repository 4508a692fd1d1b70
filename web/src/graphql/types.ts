/**
 * TypeScript shapes of the GraphQL schema types the web app reads.
 * Hand-written for now (no codegen in the repo yet); keep them in step with the API schema.
 */
export type ViewerKind = 'SESSION' | 'API_KEY';

export type CourseRole = 'INSTRUCTOR' | 'TEACHING_ASSISTANT' | 'LEARNER' | 'MENTOR' | 'ADMINISTRATOR';

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}
