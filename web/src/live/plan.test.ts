import { describe, expect, it } from 'vitest';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import type { LiveClassEditFieldsFragment } from '../gql/graphql';
import { newPlanForm, planError, planFormOf, planInput } from './plan';

const planned: LiveClassEditFieldsFragment = {
  __typename: 'LiveClass',
  id: 'c1',
  title: 'Week 4',
  description: 'Recursion',
  startsAt: '2026-05-04T22:30:00.000Z',
  endsAt: '2026-05-05T00:00:00.000Z',
  state: 'SCHEDULED',
  maxParticipants: 30,
  provider: 'LINK',
  meetingUrl: 'https://meet.example.org/w4',
  policy: 'PROPORTIONAL',
  thresholdPercent: 75,
  anonymousQuestions: false,
  gradeLink: { __typename: 'LiveGradeLink', id: 'g1', title: 'Attendance' },
};

describe('the plan dialog form', () => {
  it('starts a new class at the next full hour for an hour, on BigBlueButton only where it is offered', () => {
    const now = Date.parse('2026-05-04T09:17:00Z');
    const f = newPlanForm(now, 'Europe/Paris', ['BIGBLUEBUTTON', 'LINK']);
    expect([f.date, f.startTime, f.endTime, f.provider]).toEqual(['2026-05-04', '12:00', '13:00', 'BIGBLUEBUTTON']);
    expect(newPlanForm(now, 'UTC', ['LINK']).provider).toBe('LINK');
  });

  it("shows a planned class in the course's zone and gives the same class back (past midnight: the next day)", () => {
    const f = planFormOf(planned, 'Europe/Paris');
    expect([f.date, f.startTime, f.endTime, f.maxParticipants, f.gradeLinkId]).toEqual(['2026-05-05', '00:30', '02:00', 30, 'g1']);
    const made = planInput(f, 'Europe/Paris');
    expect(made).toEqual({
      input: {
        title: 'Week 4',
        description: 'Recursion',
        startsAt: '2026-05-04T22:30:00.000Z',
        endsAt: '2026-05-05T00:00:00.000Z',
        maxParticipants: 30,
        provider: 'LINK',
        meetingUrl: 'https://meet.example.org/w4',
        policy: 'PROPORTIONAL',
        thresholdPercent: 75,
        anonymousQuestions: false,
        gradeLinkId: 'g1',
      },
    });
    const late = planInput({ ...f, startTime: '23:00', endTime: '00:30' }, 'Europe/Paris');
    expect('input' in late && [late.input.startsAt, late.input.endsAt]).toEqual(['2026-05-05T21:00:00.000Z', '2026-05-05T22:30:00.000Z']);
  });

  it('sends no link with BigBlueButton, none for an empty link, and asks for the times when one is missing', () => {
    const f = planFormOf(planned, 'UTC');
    const bbb = planInput({ ...f, provider: 'BIGBLUEBUTTON' }, 'UTC');
    expect('input' in bbb && bbb.input.meetingUrl).toBeNull();
    const empty = planInput({ ...f, meetingUrl: '  ', maxParticipants: '' }, 'UTC');
    expect('input' in empty && [empty.input.meetingUrl, empty.input.maxParticipants]).toEqual([null, null]);
    expect(planInput({ ...f, startTime: '' }, 'UTC')).toEqual({ field: 'times', message: 'Enter a date, a start and an end.' });
  });

  it("puts the server's error under its field", () => {
    const err = (field?: string) =>
      new CombinedGraphQLErrors({
        errors: [{ message: 'Nope.', extensions: { code: 'BAD_USER_INPUT', ...(field ? { field } : {}) } }],
      });
    expect(planError(err('endsAt'))).toEqual({ field: 'times', message: 'Nope.' });
    expect(planError(err('meetingUrl'))).toEqual({ field: 'meeting', message: 'Nope.' });
    expect(planError(err('gradeLinkId'))).toEqual({ field: 'gradeLinkId', message: 'Nope.' });
    expect(planError(err('sessionId'))).toEqual({ field: null, message: 'Nope.' });
    expect(planError(err())).toEqual({ field: null, message: 'Nope.' });
  });
});
