/** The AI tutor: the student's room and budget, cancel and retry, and the instructor's settings and usage report. */
import { gql, type TypedDocumentNode } from '@apollo/client';
import { ROOM_FIELDS, type ChatRoom } from './chat';

export type TutorMode = 'SOCRATIC' | 'EXPLAIN' | 'REVIEW';

export interface TutorSettings {
  mode: TutorMode;
  brief: string;
  userDailyTokens: number;
  courseMonthlyTokens: number;
  provider: 'OPENAI' | 'OFFLINE';
  model: string;
}

export interface TutorUsage {
  courseId: string;
  usedToday: number;
  dailyLimit: number;
  remainingToday: number;
  courseUsedThisMonth: number;
  courseMonthlyLimit: number;
  warning: boolean;
}

const USAGE = gql`
  fragment TutorUsageFields on TutorUsage {
    courseId
    usedToday
    dailyLimit
    remainingToday
    courseUsedThisMonth
    courseMonthlyLimit
    warning
  }
`;
const SETTINGS = gql`
  fragment TutorSettingsFields on TutorSettings {
    mode
    brief
    userDailyTokens
    courseMonthlyTokens
    provider
    model
  }
`;

export const TUTOR_HOME: TypedDocumentNode<{ course: { id: string; tutorSettings: TutorSettings } | null; myTutorUsage: TutorUsage }, { courseId: string }> = gql`
  ${USAGE}
  ${SETTINGS}
  query TutorHome($courseId: ID!) {
    course(id: $courseId) {
      id
      tutorSettings {
        ...TutorSettingsFields
      }
    }
    myTutorUsage(courseId: $courseId) {
      ...TutorUsageFields
    }
  }
`;

export const OPEN_TUTOR_ROOM: TypedDocumentNode<{ openTutorRoom: ChatRoom }, { courseId: string }> = gql`
  ${ROOM_FIELDS}
  mutation OpenTutorRoom($courseId: ID!) {
    openTutorRoom(courseId: $courseId) {
      ...ChatRoomFields
    }
  }
`;

export const TUTOR_USAGE_SUB: TypedDocumentNode<{ tutorUsage: TutorUsage }, { courseId: string }> = gql`
  ${USAGE}
  subscription TutorUsageLive($courseId: ID!) {
    tutorUsage(courseId: $courseId) {
      ...TutorUsageFields
    }
  }
`;

export const CANCEL_TUTOR: TypedDocumentNode<{ cancelTutorReply: boolean }, { requestId: string }> = gql`
  mutation CancelTutorReply($requestId: ID!) {
    cancelTutorReply(requestId: $requestId)
  }
`;

export const RETRY_TUTOR: TypedDocumentNode<{ retryTutorReply: boolean }, { requestId: string }> = gql`
  mutation RetryTutorReply($requestId: ID!) {
    retryTutorReply(requestId: $requestId)
  }
`;

export interface UsageRow {
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  calls: number;
}
export interface TutorReport {
  byDay: (UsageRow & { day: string })[];
  byStudent: (UsageRow & { userId: string; name: string })[];
  byModel: (UsageRow & { model: string })[];
}

export const TUTOR_DASHBOARD: TypedDocumentNode<{ course: { id: string; tutorSettings: TutorSettings; tutorUsageReport: TutorReport } | null }, { courseId: string; days: number }> = gql`
  ${SETTINGS}
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
`;

export const UPDATE_TUTOR_SETTINGS: TypedDocumentNode<
  { updateTutorSettings: TutorSettings },
  { courseId: string; mode?: TutorMode; brief?: string; userDailyTokens?: number | null; courseMonthlyTokens?: number | null }
> = gql`
  ${SETTINGS}
  mutation UpdateTutorSettings($courseId: ID!, $mode: TutorMode, $brief: String, $userDailyTokens: Int, $courseMonthlyTokens: Int) {
    updateTutorSettings(courseId: $courseId, mode: $mode, brief: $brief, userDailyTokens: $userDailyTokens, courseMonthlyTokens: $courseMonthlyTokens) {
      ...TutorSettingsFields
    }
  }
`;
