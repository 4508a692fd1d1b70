/**
 * The instructor's live dashboard of a course: one snapshot (`course.liveDashboard`), fresh ones as things change
 * (`liveDashboard`), and the events of the class in progress (`liveClassEvents`, from the snapshot's class cursor)
 * so that hands, questions and votes show at once.
 */
import { graphql } from '../gql';
import type { DashboardClassEventFieldsFragment, DashboardLiveClassFieldsFragment, LiveDashboardFieldsFragment } from '../gql/graphql';

/** One snapshot of the dashboard. */
export type LiveDashboardData = LiveDashboardFieldsFragment;
/** The class in progress, as the dashboard holds it. */
export type DashboardClass = DashboardLiveClassFieldsFragment;
/** One event of the class in progress. */
export type DashboardClassEvent = DashboardClassEventFieldsFragment;

// Fragments the operations below spread by name (codegen reads them from these calls); the question, poll and
// confusion fragments are the class page's (graphql/live.ts).
graphql(`
  fragment DashboardLiveClassFields on LiveClass {
    id
    title
    state
    startsAt
    endsAt
    startedAt
    endedAt
    cursor
    participants {
      userId
      userName
      role
      present
    }
    hands {
      userId
      userName
      raisedAt
    }
    questions {
      ...LiveQuestionFields
    }
    polls {
      ...LivePollFields
    }
    confusion {
      ...LiveConfusionFields
    }
  }
`);

graphql(`
  fragment LiveDashboardFields on LiveDashboard {
    courseId
    at
    activeStudents
    bySection {
      section
      count
    }
    students {
      userId
      userName
      section
      state
    }
    messagesPerMinute {
      at
      count
    }
    openQuestions
    hands
    confusionTrend {
      at
      count
    }
    present
    admitted
    tutor {
      tokensToday
      dailyBudget
      monthTokens
      monthlyBudget
      questionsToday
    }
    struggles {
      topic
      count
      source
    }
    answerWait {
      answered
      waiting
      medianSeconds
      p90Seconds
      longestWaitingSeconds
    }
    liveClass {
      ...DashboardLiveClassFields
    }
  }
`);

graphql(`
  fragment DashboardClassEventFields on LiveClassEvent {
    cursor
    type
    at
    classId
    state
    startedAt
    endedAt
    userId
    count
    participant {
      userId
      userName
      role
      present
    }
    hand {
      userId
      userName
      raisedAt
    }
    question {
      ...LiveQuestionFields
    }
    poll {
      ...LivePollFields
    }
    confusion {
      ...LiveConfusionFields
    }
  }
`);

/** The dashboard now (hosts of the course only: FORBIDDEN otherwise). */
export const COURSE_LIVE_DASHBOARD = graphql(`
  query CourseLiveDashboard($courseId: ID!) {
    course(id: $courseId) {
      id
      liveDashboard {
        ...LiveDashboardFields
      }
    }
  }
`);

/** A fresh snapshot when the subscription starts, then whenever something changed (at most one per 2 s). */
export const LIVE_DASHBOARD_UPDATES = graphql(`
  subscription LiveDashboardUpdates($courseId: ID!) {
    liveDashboard(courseId: $courseId) {
      ...LiveDashboardFields
    }
  }
`);

/** The class in progress, event by event, from a cursor. */
export const DASHBOARD_CLASS_EVENTS = graphql(`
  subscription DashboardClassEvents($classId: ID!, $after: String) {
    liveClassEvents(classId: $classId, after: $after) {
      ...DashboardClassEventFields
    }
  }
`);
