/** The AI tutor: the student's room and budget, cancel and retry, and the instructor's settings and usage report. */
import { graphql } from '../gql';
import type { TutorUsageFieldsFragment } from '../gql/graphql';

export type { TutorMode } from '../gql/graphql';

/** The viewer's tutor budget in a course (the `TutorUsageFields` fragment). */
export type TutorUsage = TutorUsageFieldsFragment;

const USAGE = graphql(`
  fragment TutorUsageFields on TutorUsage {
    cursor
    courseId
    usedToday
    dailyLimit
    remainingToday
    courseUsedThisMonth
    courseMonthlyLimit
    warning
  }
`);
const SETTINGS = graphql(`
  fragment TutorSettingsFields on TutorSettings {
    mode
    brief
    userDailyTokens
    courseMonthlyTokens
    provider
    model
  }
`);

export const TUTOR_HOME = graphql(`
  query TutorHome($courseId: ID!) {
    course(id: $courseId) {
      id
      tutorSettings {
        ...TutorSettingsFields
      }
    }
  }
`);

/** The viewer's budget now, with the cursor that `tutorUsage` follows it from. */
export const TUTOR_USAGE = graphql(`
  query TutorUsage($courseId: ID!) {
    myTutorUsage(courseId: $courseId) {
      ...TutorUsageFields
    }
  }
`);

export const OPEN_TUTOR_ROOM = graphql(`
  mutation OpenTutorRoom($courseId: ID!) {
    openTutorRoom(courseId: $courseId) {
      ...ChatRoomFields
    }
  }
`);

export const TUTOR_USAGE_SUB = graphql(`
  subscription TutorUsageLive($courseId: ID!, $after: String) {
    tutorUsage(courseId: $courseId, after: $after) {
      ...TutorUsageFields
    }
  }
`);

export const CANCEL_TUTOR = graphql(`
  mutation CancelTutorReply($requestId: ID!) {
    cancelTutorReply(requestId: $requestId)
  }
`);

export const RETRY_TUTOR = graphql(`
  mutation RetryTutorReply($requestId: ID!) {
    retryTutorReply(requestId: $requestId)
  }
`);

export const TUTOR_DASHBOARD = graphql(`
  query TutorDashboard($courseId: ID!, $days: Int) {
    course(id: $courseId) {
      id
      tutorSettings {
        ...TutorSettingsFields
      }
      tutorUsageReport(days: $days) {
        byDay {
          day
          promptTokens
          completionTokens
          costUsd
          calls
        }
        byStudent {
          userId
          name
          promptTokens
          completionTokens
          costUsd
          calls
        }
        byModel {
          model
          promptTokens
          completionTokens
          costUsd
          calls
        }
      }
    }
  }
`);

export const UPDATE_TUTOR_SETTINGS = graphql(`
  mutation UpdateTutorSettings($courseId: ID!, $mode: TutorMode, $brief: String, $userDailyTokens: Int, $courseMonthlyTokens: Int) {
    updateTutorSettings(courseId: $courseId, mode: $mode, brief: $brief, userDailyTokens: $userDailyTokens, courseMonthlyTokens: $courseMonthlyTokens) {
      ...TutorSettingsFields
    }
  }
`);
