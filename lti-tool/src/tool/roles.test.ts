import { describe, expect, it } from 'vitest';
import { isCourseContext, mapLtiRoles } from './roles.js';

const M = 'http://purl.imsglobal.org/vocab/lis/v2/membership#';
describe('LTI roles', () => {
  it('maps Moodle instructor and learner, and admin system roles', () => {
    expect(mapLtiRoles([`${M}Instructor`])).toEqual(['instructor']);
    expect(mapLtiRoles([`${M}Learner`])).toEqual(['learner']);
    expect(
      mapLtiRoles([
        `${M}Instructor`,
        'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator',
        'http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator',
      ]).sort(),
    ).toEqual(['administrator', 'instructor']);
  });
  it('maps Canvas role sets: institution roles alone do not grant course roles', () => {
    expect(
      mapLtiRoles([
        'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor',
        `${M}Instructor`,
        'http://purl.imsglobal.org/vocab/lis/v2/system/person#User',
      ]),
    ).toEqual(['instructor']);
    expect(mapLtiRoles(['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student', `${M}Learner`])).toEqual(['learner']);
    // Institution roles alone give no course role: the person is a guest of the course.
    expect(mapLtiRoles(['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor'])).toEqual(['guest']);
  });
  it('handles short forms, sub-roles and junk', () => {
    expect(mapLtiRoles(['Instructor'])).toEqual(['instructor']);
    expect(mapLtiRoles(['TeachingAssistant'])).toEqual(['teaching_assistant']);
    expect(mapLtiRoles([`http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant`])).toEqual(['teaching_assistant']);
    expect(mapLtiRoles(['urn:lti:role:ims/lis/Nonsense', '<script>', '', 'Mentor'])).toEqual(['mentor']);
  });
  it('an empty roles array, or only roles the tool does not know, makes a guest (LTI 1.3 allows both)', () => {
    expect(mapLtiRoles([])).toEqual(['guest']);
    expect(mapLtiRoles(['http://example.test/vocab/roles#Visitor'])).toEqual(['guest']);
    expect(mapLtiRoles(['urn:lti:role:ims/lis/Nonsense', '<script>', ''])).toEqual(['guest']);
    // A known role beside unknown ones is that role alone, never a guest as well.
    expect(mapLtiRoles(['http://example.test/vocab/roles#Visitor', `${M}Learner`])).toEqual(['learner']);
  });
  it('recognises course context types in both shapes', () => {
    expect(isCourseContext(['CourseSection'])).toBe(true);
    expect(isCourseContext(['http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering'])).toBe(true);
    expect(isCourseContext(undefined)).toBe(true);
    expect(isCourseContext(['urn:something#Department'])).toBe(false);
  });
});
