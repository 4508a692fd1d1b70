import { describe, expect, it } from 'vitest';
import { COURSE_SECTIONS, coursePath, SECTION_INFO, sectionFromParam, toApiSection } from './sections';

describe('course sections', () => {
  it('reads the section from the route, defaulting to the hub', () => {
    expect(sectionFromParam('chat')).toBe('chat');
    expect(sectionFromParam(['live'])).toBe('live');
    expect(sectionFromParam(undefined)).toBe('hub');
    expect(sectionFromParam('')).toBe('hub');
    expect(sectionFromParam('grades')).toBe('hub');
  });
  it('maps to the API enum', () => {
    expect(COURSE_SECTIONS.map(toApiSection)).toEqual(['HUB', 'CHAT', 'TUTOR', 'LIVE', 'COLLAB', 'SCHEDULE']);
  });
  it('builds course paths', () => {
    expect(coursePath('c-1')).toBe('/courses/c-1/hub');
    expect(coursePath('c-1', 'schedule')).toBe('/courses/c-1/schedule');
  });
  it('only live class and collab exercise can be graded', () => {
    expect(COURSE_SECTIONS.filter((s) => SECTION_INFO[s].gradable)).toEqual(['live', 'collab']);
  });
});
