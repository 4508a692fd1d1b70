/**
 * Live classes: a course's classes (the Live class tab, followed live), one class with everything in it (the class
 * page, followed live from its cursor), and the mutations of hosts and participants.
 */
import { graphql } from '../gql';
import type { LiveClassSummaryFieldsFragment } from '../gql/graphql';

export type { LiveMeetingProvider, LiveQuestionStatus } from '../gql/graphql';
/** A class as the tab lists it. */
export type LiveClassSummary = LiveClassSummaryFieldsFragment;

// Fragments the operations below spread by name (codegen reads them from these calls).
graphql(`
  fragment LiveClassSummaryFields on LiveClass {
    id
    courseId
    title
    description
    startsAt
    endsAt
    state
    startedAt
    endedAt
    maxParticipants
    participantCount
    provider
    recordingUrl
    canHost
    joined
  }
`);

graphql(`
  fragment LiveClassEditFields on LiveClass {
    id
    title
    description
    startsAt
    endsAt
    state
    maxParticipants
    provider
    meetingUrl
    policy
    thresholdPercent
    anonymousQuestions
    gradeLink {
      id
      title
    }
  }
`);

graphql(`
  fragment LiveQuestionFields on LiveQuestion {
    id
    classId
    body
    authorId
    authorName
    anonymous
    status
    votes
    createdAt
    answeredAt
  }
`);

graphql(`
  fragment LivePollFields on LivePoll {
    id
    classId
    question
    options {
      label
      count
    }
    status
    total
    createdAt
    closedAt
  }
`);

graphql(`
  fragment LiveConfusionFields on LiveConfusion {
    count
    present
    windowSeconds
    alertPercent
    alert
    topics {
      topic
      count
    }
    signals {
      at
      topic
    }
    at
  }
`);

graphql(`
  fragment LiveAttendanceFields on LiveAttendance {
    userId
    userName
    role
    present
    minutesPresent
    measuredMinutes
    correctedMinutes
    scheduledMinutes
    joins
    score
    passback
    passbackError
    passbackAt
  }
`);

graphql(`
  fragment LiveClassPageFields on LiveClass {
    ...LiveClassSummaryFields
    sessionId
    roomId
    meetingUrl
    recordings {
      id
      url
      startedAt
      endedAt
      minutes
    }
    policy
    thresholdPercent
    anonymousQuestions
    confusionWindowSeconds
    confusionAlertPercent
    gradeLink {
      id
      title
    }
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
    myVotes
    myPollAnswers {
      pollId
      option
    }
    myConfusedAt
    attendance {
      ...LiveAttendanceFields
    }
    myAttendance {
      ...LiveAttendanceFields
    }
    cursor
  }
`);

export const COURSE_LIVE_CLASSES_QUERY = graphql(`
  query CourseLiveClasses($id: ID!) {
    course(id: $id) {
      id
      liveClasses {
        cursor
        classes {
          ...LiveClassSummaryFields
        }
      }
    }
  }
`);

export const COURSE_LIVE_CLASS_EVENTS = graphql(`
  subscription CourseLiveClassEvents($courseId: ID!, $after: String) {
    courseLiveClassEvents(courseId: $courseId, after: $after) {
      cursor
      type
      classId
      liveClass {
        ...LiveClassSummaryFields
      }
    }
  }
`);

/** What the plan dialog offers: the course's zone, its meeting tools and the graded LMS activities. */
export const LIVE_PLAN_OPTIONS_QUERY = graphql(`
  query LivePlanOptions($courseId: ID!) {
    course(id: $courseId) {
      id
      liveMeetingProviders
      scheduleSettings {
        timeZone
      }
    }
    liveGradeLinks(courseId: $courseId) {
      id
      title
    }
  }
`);

/** A planned class as the plan dialog edits it. */
export const LIVE_CLASS_EDIT_QUERY = graphql(`
  query LiveClassEdit($id: ID!) {
    liveClass(id: $id) {
      ...LiveClassEditFields
    }
  }
`);

export const LIVE_CLASS_QUERY = graphql(`
  query LiveClass($id: ID!) {
    liveClass(id: $id) {
      ...LiveClassPageFields
    }
  }
`);

/** The class's chat room, as the room view shows it. */
export const LIVE_CHAT_ROOM_QUERY = graphql(`
  query LiveChatRoom($id: ID!) {
    room(id: $id) {
      ...ChatRoomFields
    }
  }
`);

export const LIVE_ATTENDANCE_CSV_QUERY = graphql(`
  query LiveAttendanceCsv($id: ID!) {
    liveClass(id: $id) {
      id
      attendanceCsv
    }
  }
`);

export const LIVE_CLASS_EVENTS = graphql(`
  subscription LiveClassEvents($classId: ID!, $after: String) {
    liveClassEvents(classId: $classId, after: $after) {
      cursor
      type
      at
      classId
      state
      startedAt
      endedAt
      recordingUrl
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
      userId
      count
      question {
        ...LiveQuestionFields
      }
      confusion {
        ...LiveConfusionFields
      }
      poll {
        ...LivePollFields
      }
      attendance {
        ...LiveAttendanceFields
      }
    }
  }
`);

export const CREATE_LIVE_CLASS = graphql(`
  mutation CreateLiveClass($courseId: ID!, $input: LiveClassInput!) {
    createLiveClass(courseId: $courseId, input: $input) {
      ...LiveClassSummaryFields
    }
  }
`);

export const UPDATE_LIVE_CLASS = graphql(`
  mutation UpdateLiveClass($id: ID!, $input: LiveClassInput!) {
    updateLiveClass(id: $id, input: $input) {
      ...LiveClassSummaryFields
      ...LiveClassEditFields
    }
  }
`);

export const DELETE_LIVE_CLASS = graphql(`
  mutation DeleteLiveClass($id: ID!) {
    deleteLiveClass(id: $id)
  }
`);

export const START_LIVE_CLASS = graphql(`
  mutation StartLiveClass($id: ID!) {
    startLiveClass(id: $id) {
      ...LiveClassPageFields
    }
  }
`);

export const END_LIVE_CLASS = graphql(`
  mutation EndLiveClass($id: ID!) {
    endLiveClass(id: $id) {
      ...LiveClassPageFields
    }
  }
`);

export const SET_LIVE_RECORDING_URL = graphql(`
  mutation SetLiveRecordingUrl($id: ID!, $url: String) {
    setLiveRecordingUrl(id: $id, url: $url) {
      id
      recordingUrl
    }
  }
`);

export const JOIN_LIVE_CLASS = graphql(`
  mutation JoinLiveClass($id: ID!) {
    joinLiveClass(id: $id) {
      meetingUrl
      liveClass {
        ...LiveClassPageFields
      }
    }
  }
`);

export const LIVE_HEARTBEAT = graphql(`
  mutation LiveHeartbeat($id: ID!) {
    liveHeartbeat(id: $id)
  }
`);

export const RAISE_HAND = graphql(`
  mutation RaiseHand($classId: ID!) {
    raiseHand(classId: $classId) {
      userId
      userName
      raisedAt
    }
  }
`);

export const LOWER_HAND = graphql(`
  mutation LowerHand($classId: ID!, $userId: ID) {
    lowerHand(classId: $classId, userId: $userId)
  }
`);

export const CLEAR_HANDS = graphql(`
  mutation ClearHands($classId: ID!) {
    clearHands(classId: $classId)
  }
`);

export const ASK_LIVE_QUESTION = graphql(`
  mutation AskLiveQuestion($classId: ID!, $body: String!, $anonymous: Boolean) {
    askLiveQuestion(classId: $classId, body: $body, anonymous: $anonymous) {
      ...LiveQuestionFields
    }
  }
`);

export const VOTE_LIVE_QUESTION = graphql(`
  mutation VoteLiveQuestion($questionId: ID!) {
    voteLiveQuestion(questionId: $questionId) {
      ...LiveQuestionFields
    }
  }
`);

export const SET_LIVE_QUESTION_STATUS = graphql(`
  mutation SetLiveQuestionStatus($questionId: ID!, $status: LiveQuestionStatus!) {
    setLiveQuestionStatus(questionId: $questionId, status: $status) {
      ...LiveQuestionFields
    }
  }
`);

export const SIGNAL_CONFUSION = graphql(`
  mutation SignalConfusion($classId: ID!, $topic: String) {
    signalConfusion(classId: $classId, topic: $topic)
  }
`);

export const OPEN_LIVE_POLL = graphql(`
  mutation OpenLivePoll($classId: ID!, $question: String!, $options: [String!]!) {
    openLivePoll(classId: $classId, question: $question, options: $options) {
      ...LivePollFields
    }
  }
`);

export const ANSWER_LIVE_POLL = graphql(`
  mutation AnswerLivePoll($pollId: ID!, $option: Int!) {
    answerLivePoll(pollId: $pollId, option: $option) {
      ...LivePollFields
    }
  }
`);

export const CLOSE_LIVE_POLL = graphql(`
  mutation CloseLivePoll($pollId: ID!) {
    closeLivePoll(pollId: $pollId) {
      ...LivePollFields
    }
  }
`);

export const CORRECT_LIVE_ATTENDANCE = graphql(`
  mutation CorrectLiveAttendance($classId: ID!, $userId: ID!, $minutes: Int) {
    correctLiveAttendance(classId: $classId, userId: $userId, minutes: $minutes) {
      ...LiveAttendanceFields
    }
  }
`);

export const RETRY_LIVE_PASSBACK = graphql(`
  mutation RetryLivePassback($classId: ID!) {
    retryLivePassback(classId: $classId)
  }
`);
