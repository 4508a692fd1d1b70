/**
 * The plan dialog's pure rules: a new class's form (the next full hour, an hour long, the school's BigBlueButton where
 * one is offered), a planned class's form (its times as wall-clock times in the course's zone), the form as the
 * mutation's input, and which field an error of the server belongs under (its `extensions.field`).
 */
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { userMessage } from '../apollo/errors';
import type { LiveAttendancePolicy, LiveClassEditFieldsFragment, LiveClassInput, LiveMeetingProvider } from '../gql/graphql';
import { instantOf, wallClockOf } from '../schedule/live';

export interface PlanForm {
  title: string;
  description: string;
  date: string;
  startTime: string;
  endTime: string;
  maxParticipants: number | '';
  provider: LiveMeetingProvider;
  meetingUrl: string;
  policy: LiveAttendancePolicy;
  thresholdPercent: number;
  anonymousQuestions: boolean;
  gradeLinkId: string | null;
}

/** Where an error shows: under its field ('times': under the date and times), or above the buttons (null). */
export type PlanField = 'title' | 'description' | 'times' | 'maxParticipants' | 'meeting' | 'policy' | 'thresholdPercent' | 'gradeLinkId';

const HOUR = 3600_000;

/** A new class: from the next full hour (of the course's zone) for an hour. */
export function newPlanForm(now: number, zone: string, providers: readonly LiveMeetingProvider[]): PlanForm {
  const from = Math.floor(now / HOUR) * HOUR + HOUR;
  const start = wallClockOf(new Date(from).toISOString(), zone);
  const end = wallClockOf(new Date(from + HOUR).toISOString(), zone);
  return {
    title: '',
    description: '',
    date: start.date,
    startTime: start.time,
    endTime: end.time,
    maxParticipants: '',
    provider: providers.includes('BIGBLUEBUTTON') ? 'BIGBLUEBUTTON' : 'LINK',
    meetingUrl: '',
    policy: 'THRESHOLD',
    thresholdPercent: 80,
    anonymousQuestions: true,
    gradeLinkId: null,
  };
}

/** A planned class as the form shows it. */
export function planFormOf(c: LiveClassEditFieldsFragment, zone: string): PlanForm {
  const start = wallClockOf(c.startsAt, zone);
  const end = wallClockOf(c.endsAt, zone);
  return {
    title: c.title,
    description: c.description,
    date: start.date,
    startTime: start.time,
    endTime: end.time,
    maxParticipants: c.maxParticipants ?? '',
    provider: c.provider,
    meetingUrl: c.meetingUrl ?? '',
    policy: c.policy,
    thresholdPercent: c.thresholdPercent,
    anonymousQuestions: c.anonymousQuestions,
    gradeLinkId: c.gradeLink?.id ?? null,
  };
}

/** The start and end the form says; an end at or before the start is on the next day (a class past midnight). */
export function planTimes(f: Pick<PlanForm, 'date' | 'startTime' | 'endTime'>, zone: string): { startsAt: string; endsAt: string } | null {
  const startsAt = instantOf(f.date, f.startTime, zone);
  let endsAt = instantOf(f.date, f.endTime, zone);
  if (!startsAt || !endsAt) return null;
  if (endsAt <= startsAt) endsAt = new Date(Date.parse(endsAt) + 86_400_000).toISOString();
  return { startsAt, endsAt };
}

/** The form as `LiveClassInput`; with BigBlueButton, no link. An error of its own when the times are not complete. */
export function planInput(f: PlanForm, zone: string): { input: LiveClassInput } | { field: PlanField; message: string } {
  const t = planTimes(f, zone);
  if (!t) return { field: 'times', message: 'Enter a date, a start and an end.' };
  const bbb = f.provider === 'BIGBLUEBUTTON';
  return {
    input: {
      title: f.title,
      description: f.description,
      ...t,
      maxParticipants: f.maxParticipants === '' ? null : Number(f.maxParticipants),
      provider: f.provider,
      meetingUrl: bbb ? null : f.meetingUrl.trim() || null,
      policy: f.policy,
      thresholdPercent: f.thresholdPercent,
      anonymousQuestions: f.anonymousQuestions,
      gradeLinkId: f.gradeLinkId,
    },
  };
}

const FIELDS: Record<string, PlanField> = {
  title: 'title',
  description: 'description',
  startsAt: 'times',
  endsAt: 'times',
  maxParticipants: 'maxParticipants',
  provider: 'meeting',
  meetingUrl: 'meeting',
  policy: 'policy',
  thresholdPercent: 'thresholdPercent',
  gradeLinkId: 'gradeLinkId',
};

/** A failed save: the message, and the field it belongs under (null: none of the form's). */
export function planError(e: unknown): { field: PlanField | null; message: string } {
  const first = CombinedGraphQLErrors.is(e) ? e.errors[0] : undefined;
  const field = first?.extensions?.['field'];
  return { field: typeof field === 'string' ? (FIELDS[field] ?? null) : null, message: userMessage(e) };
}
