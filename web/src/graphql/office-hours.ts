/** Office hours: windows, their days and slots, bookings (the viewer's, the host's day), the waitlist, live events. */
import { graphql } from '../gql';
import type { OfficeHourWindowFieldsFragment, OfficeHourBookingFieldsFragment } from '../gql/graphql';

export type OfficeHourWindowItem = OfficeHourWindowFieldsFragment;
export type OfficeHourBookingItem = OfficeHourBookingFieldsFragment;

graphql(`
  fragment OfficeHourWindowFields on OfficeHourWindow {
    id
    hostId
    hostName
    title
    weekday
    startTime
    endTime
    timeZone
    slotMinutes
    horizonDays
    minNoticeMinutes
    cancelNoticeMinutes
    location
    meetingUrl
    status
  }
`);

graphql(`
  fragment OfficeHourBookingFields on OfficeHourBooking {
    id
    windowId
    windowTitle
    sessionId
    hostId
    hostName
    studentId
    studentName
    startsAt
    endsAt
    timeZone
    question
    location
    meetingUrl
    status
  }
`);

export const OFFICE_HOURS_QUERY = graphql(`
  query OfficeHoursOverview($courseId: ID!, $from: DateTime) {
    officeHours(courseId: $courseId) {
      cursor
      windows {
        ...OfficeHourWindowFields
      }
    }
    officeHourBookings(courseId: $courseId, from: $from) {
      cursor
      bookings {
        ...OfficeHourBookingFields
      }
    }
  }
`);

export const OFFICE_HOUR_DAYS_QUERY = graphql(`
  query OfficeHourDays($windowId: ID!, $from: String!, $to: String!) {
    officeHourDays(windowId: $windowId, from: $from, to: $to) {
      windowId
      day
      waitlistSize
      waitlistPosition
      waitlistStatus
      slots {
        startsAt
        endsAt
        state
        bookingId
      }
    }
  }
`);

export const PUBLISH_OFFICE_HOURS = graphql(`
  mutation PublishOfficeHours($input: PublishOfficeHoursInput!) {
    publishOfficeHours(input: $input) {
      ...OfficeHourWindowFields
    }
  }
`);

export const WITHDRAW_OFFICE_HOURS = graphql(`
  mutation WithdrawOfficeHours($id: ID!) {
    withdrawOfficeHours(id: $id) {
      ...OfficeHourWindowFields
    }
  }
`);

export const BOOK_OFFICE_HOUR = graphql(`
  mutation BookOfficeHour($windowId: ID!, $startsAt: DateTime!, $question: String, $orNextFree: Boolean) {
    bookOfficeHour(windowId: $windowId, startsAt: $startsAt, question: $question, orNextFree: $orNextFree) {
      ...OfficeHourBookingFields
    }
  }
`);

export const CANCEL_OFFICE_HOUR_BOOKING = graphql(`
  mutation CancelOfficeHourBooking($id: ID!) {
    cancelOfficeHourBooking(id: $id) {
      ...OfficeHourBookingFields
    }
  }
`);

export const JOIN_OFFICE_HOUR_WAITLIST = graphql(`
  mutation JoinOfficeHourWaitlist($windowId: ID!, $day: String!) {
    joinOfficeHourWaitlist(windowId: $windowId, day: $day) {
      id
      day
      status
      position
    }
  }
`);

export const LEAVE_OFFICE_HOUR_WAITLIST = graphql(`
  mutation LeaveOfficeHourWaitlist($windowId: ID!, $day: String!) {
    leaveOfficeHourWaitlist(windowId: $windowId, day: $day)
  }
`);

export const OFFICE_HOUR_EVENTS = graphql(`
  subscription OfficeHourEvents($courseId: ID!, $after: String) {
    officeHourEvents(courseId: $courseId, after: $after) {
      cursor
      type
      windowId
      startsAt
      bookingId
      mine
    }
  }
`);
