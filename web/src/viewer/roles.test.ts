import { describe, expect, it } from 'vitest';
import type { CourseRole } from '../graphql/types';
import { roleLabel, roleLabels } from './roles';

describe('roleLabel', () => {
  it('gives every role a human label', () => {
    expect(roleLabel('INSTRUCTOR')).toBe('Instructor');
    expect(roleLabel('TEACHING_ASSISTANT')).toBe('Teaching assistant');
    expect(roleLabel('LEARNER')).toBe('Learner');
    expect(roleLabel('MENTOR')).toBe('Mentor');
    expect(roleLabel('ADMINISTRATOR')).toBe('Administrator');
  });
  it('falls back to the raw value for a role the app does not know yet', () => {
    expect(roleLabel('OBSERVER' as CourseRole)).toBe('OBSERVER');
  });
});

describe('roleLabels', () => {
  it('de-duplicates and puts the most responsible role first', () => {
    expect(roleLabels(['LEARNER', 'INSTRUCTOR', 'LEARNER', 'TEACHING_ASSISTANT'])).toEqual([
      'Instructor', 'Teaching assistant', 'Learner',
    ]);
  });
  it('is empty for no roles', () => {
    expect(roleLabels([])).toEqual([]);
  });
});
