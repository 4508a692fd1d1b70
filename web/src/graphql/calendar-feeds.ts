import { graphql } from '../gql';

/** The viewer's private calendar feed (created on first ask). */
export const MY_CALENDAR_FEED_QUERY = graphql(`
  query MyCalendarFeed {
    myCalendarFeed {
      url
      createdAt
    }
  }
`);

/** The course's public calendar feed (its sessions for everyone). */
export const COURSE_CALENDAR_FEED_QUERY = graphql(`
  query CourseCalendarFeed($courseId: ID!) {
    courseCalendarFeed(courseId: $courseId) {
      url
    }
  }
`);

export const ROTATE_CALENDAR_FEED = graphql(`
  mutation RotateCalendarFeed {
    rotateCalendarFeed {
      url
      createdAt
    }
  }
`);

/** Turns the viewer's private feed off: its URL answers 404 until they ask for a new one. */
export const REVOKE_CALENDAR_FEED = graphql(`
  mutation RevokeCalendarFeed {
    revokeCalendarFeed
  }
`);

export const ROTATE_COURSE_CALENDAR_FEED = graphql(`
  mutation RotateCourseCalendarFeed($courseId: ID!) {
    rotateCourseCalendarFeed(courseId: $courseId) {
      url
    }
  }
`);

/** One session as an .ics file to save. */
export const SESSION_CALENDAR_FILE_QUERY = graphql(`
  query SessionCalendarFile($sessionId: ID!) {
    sessionCalendarFile(sessionId: $sessionId) {
      filename
      content
    }
  }
`);
