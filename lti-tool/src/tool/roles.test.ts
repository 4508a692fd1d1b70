import { describe, expect, it } from 'vitest';
import { isCourseContext, mapLtiRoles } from './roles.js';

const M = 'http://purl.imsglobal.org/vocab/lis/v2/membership#';
describe('LTI roles', () => {
  it('maps Moodle instructor and learner, and admin system roles', () => {
    expect(mapLtiRoles([`${M}Instructor`])).toEqual(['instructor']);
    expect(mapLtiRoles([`${M}Learner`])).toEqual(['learner']);
    expect(
      mapLtiRoles([`${M}Instructor`, 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator', 'http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator']).sort(),
    ).toEqual(['administrator', 'instructor']);
  });
  it('maps Canvas role sets: institution roles alone do not grant course roles', () => {
    expect(mapLtiRoles(['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor', `${M}Instructor`, 'http://purl.imsglobal.org/vocab/lis/v2/system/person#User'])).toEqual(['instructor']);
    expect(mapLtiRoles(['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student', `${M}Learner`])).toEqual(['learner']);
    expect(mapLtiRoles(['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor'])).toEqual([]);
  });
  it('handles short forms, sub-roles and junk', () => {
    expect(mapLtiRoles(['Instructor'])).toEqual(['instructor']);
    expect(mapLtiRoles(['TeachingAssistant'])).toEqual(['teaching_assistant']);
    expect(mapLtiRoles([`http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant`])).toEqual(['teaching_assistant']);
    expect(mapLtiRoles(['urn:lti:role:ims/lis/Nonsense', '<script>', '', 'Mentor'])).toEqual(['mentor']);
    expect(mapLtiRoles([])).toEqual([]);
  });
  it('recognises course context types in both shapes', () => {
    expect(isCourseContext(['CourseSection'])).toBe(true);
    expect(isCourseContext(['http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering'])).toBe(true);
    expect(isCourseContext(undefined)).toBe(true);
    expect(isCourseContext(['urn:something#Department'])).toBe(false);
  });
});
