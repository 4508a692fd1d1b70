import { describe, expect, it } from 'vitest';
import type { CourseRole } from '../gql/graphql';
import { isGuest, isStaff, primaryRole, roleLabel, roleLabels } from './roles';

describe('roleLabel', () => {
  it('gives every role a human label', () => {
    expect(roleLabel('INSTRUCTOR')).toBe('Instructor');
    expect(roleLabel('TEACHING_ASSISTANT')).toBe('Teaching assistant');
    expect(roleLabel('LEARNER')).toBe('Learner');
    expect(roleLabel('MENTOR')).toBe('Mentor');
    expect(roleLabel('ADMINISTRATOR')).toBe('Administrator');
    expect(roleLabel('GUEST')).toBe('Guest');
  });
  it('falls back to the raw value for a role the app does not know yet', () => {
    expect(roleLabel('OBSERVER' as CourseRole)).toBe('OBSERVER');
  });
});

describe('roleLabels', () => {
  it('de-duplicates and puts the most responsible role first', () => {
    expect(roleLabels(['LEARNER', 'INSTRUCTOR', 'LEARNER', 'TEACHING_ASSISTANT'])).toEqual(['Instructor', 'Teaching assistant', 'Learner']);
  });
  it('is empty for no roles', () => {
    expect(roleLabels([])).toEqual([]);
  });
});

describe('isStaff', () => {
  it('is true for instructors, teaching assistants and administrators', () => {
    expect(isStaff(['INSTRUCTOR'])).toBe(true);
    expect(isStaff(['LEARNER', 'TEACHING_ASSISTANT'])).toBe(true);
    expect(isStaff(['ADMINISTRATOR'])).toBe(true);
  });
  it('is false for learners, mentors and no role', () => {
    expect(isStaff(['LEARNER'])).toBe(false);
    expect(isStaff(['MENTOR', 'LEARNER'])).toBe(false);
    expect(isStaff([])).toBe(false);
  });
});

describe('isGuest', () => {
  it('is true only when guest is the only role; a guest is never staff and ranks last', () => {
    expect(isGuest(['GUEST'])).toBe(true);
    expect(isGuest(['GUEST', 'LEARNER'])).toBe(false);
    expect(isGuest(['LEARNER'])).toBe(false);
    expect(isGuest([])).toBe(false);
    expect(isStaff(['GUEST'])).toBe(false);
    expect(roleLabels(['GUEST', 'LEARNER'])).toEqual(['Learner', 'Guest']);
  });
});

describe('primaryRole', () => {
  it('picks the most responsible role', () => {
    expect(primaryRole(['LEARNER', 'TEACHING_ASSISTANT'])).toBe('TEACHING_ASSISTANT');
    expect(primaryRole(['LEARNER'])).toBe('LEARNER');
    expect(primaryRole([])).toBeNull();
  });
});
