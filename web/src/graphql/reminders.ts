/** Reminders: each reminder's state per attendee of a session, for its host and the course's staff. */
import { graphql } from '../gql';
import type { SessionRemindersQuery } from '../gql/graphql';

export type SessionReminder = SessionRemindersQuery['sessionReminders'][number];

export const SESSION_REMINDERS_QUERY = graphql(`
  query SessionReminders($sessionId: ID!) {
    sessionReminders(sessionId: $sessionId) {
      userId
      userName
      offsetMinutes
      dueAt
      state
      sentAt
      error
    }
  }
`);
