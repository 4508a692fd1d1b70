/** The AI tutor: the student's room and budget, cancel and retry, and the instructor's settings and usage report. */
import { graphql } from '../gql';
import type { TutorDashboardQuery, TutorUsageFieldsFragment } from '../gql/graphql';

export type { TutorMode } from '../gql/graphql';

/** The viewer's tutor budget in a course (the `TutorUsageFields` fragment). */
export type TutorUsage = TutorUsageFieldsFragment;
/** The course's usage report, as the dashboard holds it (loaded, then followed entry by entry). */
export type TutorReport = NonNullable<TutorDashboardQuery['course']>['tutorUsageReport'];

// A fragment the operations below spread by name (codegen reads it from this call).
graphql(`
  fragment TutorUsageFields on TutorUsage {
    cursor
    courseId
    usedToday
    dailyLimit
    remainingToday
    courseUsedThisMonth
    courseMonthlyLimit
    warning
    tokensPerQuestion
    questionsLeft
    percentLeftToday
    blockedBy
    resetsAt
    blockedUntil
  }
`);
// A fragment the operations below spread by name (codegen reads it from this call).
graphql(`
  fragment TutorSettingsFields on TutorSettings {
    mode
    brief
    userDailyTokens
    courseMonthlyTokens
    tokensPerQuestion
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
        cursor
        byDay {
          day
          promptTokens
          completionTokens
          costUsd
          calls
          refused
        }
        byStudent {
          userId
          name
          tutorRoomId
          promptTokens
          completionTokens
          costUsd
          calls
          refused
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

/** The course's usage as it is recorded, from the report's cursor: the dashboard adds each entry to its sums. */
export const TUTOR_REPORT_SUB = graphql(`
  subscription TutorReportLive($courseId: ID!, $after: String) {
    tutorReportEvents(courseId: $courseId, after: $after) {
      cursor
      day
      userId
      name
      tutorRoomId
      model
      promptTokens
      completionTokens
      costUsd
      calls
      refused
    }
  }
`);

/** A student's tutor room, which staff open from the dashboard to read (they do not post there). */
export const TUTOR_STUDENT_ROOM = graphql(`
  query TutorStudentRoom($roomId: ID!) {
    room(id: $roomId) {
      ...ChatRoomFields
    }
  }
`);

export const UPDATE_TUTOR_SETTINGS = graphql(`
  mutation UpdateTutorSettings($courseId: ID!, $mode: TutorMode, $brief: String, $userDailyTokens: Int, $courseMonthlyTokens: Int) {
    updateTutorSettings(
      courseId: $courseId
      mode: $mode
      brief: $brief
      userDailyTokens: $userDailyTokens
      courseMonthlyTokens: $courseMonthlyTokens
    ) {
      ...TutorSettingsFields
    }
  }
`);
