/** Sessions: a course's schedule (followed live), one session, the editor's mutations and the course's settings. */
import { graphql } from '../gql';
import type { ScheduleSessionFieldsFragment } from '../gql/graphql';

export type { ScheduleAudience, ScheduleEditScope, AttendanceMark } from '../gql/graphql';
export type ScheduleSessionItem = ScheduleSessionFieldsFragment;

// A fragment the operations below spread by name (codegen reads it from this call).
graphql(`
  fragment ScheduleSessionFields on ScheduleSession {
    id
    courseId
    kind
    seriesId
    recurrenceId
    title
    description
    startsAt
    endsAt
    timeZone
    hostId
    hostName
    audience
    studentId
    studentName
    roomId
    roomName
    location
    meetingUrl
    status
    sequence
    canEdit
  }
`);

export const COURSE_SCHEDULE_QUERY = graphql(`
  query CourseSchedule($id: ID!, $from: DateTime!, $to: DateTime!) {
    course(id: $id) {
      id
      schedule(from: $from, to: $to) {
        cursor
        sessions {
          ...ScheduleSessionFields
        }
      }
      scheduleSettings {
        timeZone
        reminderOffsets
        isSet
      }
    }
  }
`);

export const SCHEDULE_SESSION_QUERY = graphql(`
  query ScheduleSessionDetails($id: ID!) {
    scheduleSession(id: $id) {
      ...ScheduleSessionFields
      attendance {
        userId
        userName
        attendance
        completed
      }
    }
  }
`);

export const SCHEDULE_EVENTS = graphql(`
  subscription ScheduleEvents($courseId: ID!, $after: String) {
    scheduleEvents(courseId: $courseId, after: $after) {
      cursor
      type
      sessionId
      session {
        ...ScheduleSessionFields
      }
    }
  }
`);

export const CREATE_SCHEDULE_SESSION = graphql(`
  mutation CreateScheduleSession($input: CreateScheduleSessionInput!, $force: Boolean) {
    createScheduleSession(input: $input, force: $force) {
      ...ScheduleSessionFields
    }
  }
`);

export const UPDATE_SCHEDULE_SESSION = graphql(`
  mutation UpdateScheduleSession($id: ID!, $input: UpdateScheduleSessionInput!, $scope: ScheduleEditScope, $force: Boolean) {
    updateScheduleSession(id: $id, input: $input, scope: $scope, force: $force) {
      ...ScheduleSessionFields
    }
  }
`);

/** A drag on the calendar: the new start and end (one occurrence, or it and the following ones). */
export const MOVE_SCHEDULE_SESSION = graphql(`
  mutation MoveScheduleSession($id: ID!, $startsAt: DateTime!, $endsAt: DateTime!, $scope: ScheduleEditScope, $force: Boolean) {
    moveScheduleSession(id: $id, startsAt: $startsAt, endsAt: $endsAt, scope: $scope, force: $force) {
      ...ScheduleSessionFields
    }
  }
`);

export const CANCEL_SCHEDULE_SESSION = graphql(`
  mutation CancelScheduleSession($id: ID!, $scope: ScheduleEditScope) {
    cancelScheduleSession(id: $id, scope: $scope) {
      ...ScheduleSessionFields
    }
  }
`);

export const MARK_ATTENDANCE = graphql(`
  mutation MarkAttendance($sessionId: ID!, $userId: ID!, $attendance: AttendanceMark, $completed: Boolean) {
    markAttendance(sessionId: $sessionId, userId: $userId, attendance: $attendance, completed: $completed) {
      userId
      userName
      attendance
      completed
    }
  }
`);

export const UPDATE_SCHEDULE_SETTINGS = graphql(`
  mutation UpdateScheduleSettings($courseId: ID!, $timeZone: String, $reminderOffsets: [Int!]) {
    updateScheduleSettings(courseId: $courseId, timeZone: $timeZone, reminderOffsets: $reminderOffsets) {
      timeZone
      reminderOffsets
      isSet
    }
  }
`);

/** The people a session can be planned with: the course's members (the editor's host and student pickers). */
export const SCHEDULE_PEOPLE_QUERY = graphql(`
  query SchedulePeople($id: ID!) {
    course(id: $id) {
      id
      members(first: 100) {
        edges {
          node {
            roles
            user {
              id
              name
            }
          }
        }
      }
      rooms {
        id
        kind
        name
        archived
      }
    }
  }
`);
