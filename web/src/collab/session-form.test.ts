import { describe, expect, it } from 'vitest';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { createInput, formProblem, generateAccessCode, newSessionForm, sessionError, sessionFormOf, updateInput } from './session-form';
import type { CollabSessionSummary } from '../graphql/collab';

describe('collab session form', () => {
  it('suggests an exercise for a launch from an LMS activity, a shared document otherwise', () => {
    expect(newSessionForm('act-1')).toMatchObject({ mode: 'PER_STUDENT', activityId: 'act-1', visibility: 'COURSE' });
    expect(newSessionForm()).toMatchObject({ mode: 'SHARED', activityId: null });
  });

  it('says which field to fix', () => {
    const f = { ...newSessionForm(), title: '  ' };
    expect(formProblem(f)?.field).toBe('title');
    expect(formProblem({ ...f, title: 'Loops', visibility: 'CODE', accessCode: 'a b' })?.field).toBe('accessCode');
    // Left empty, the server makes one up.
    expect(formProblem({ ...f, title: 'Loops', visibility: 'CODE' })).toBeNull();
    expect(formProblem({ ...f, title: 'Loops', maxCollaborators: 0 })?.field).toBe('maxCollaborators');
    expect(formProblem({ ...f, title: 'Loops', maxCollaborators: '2.5' })?.field).toBe('maxCollaborators');
    expect(formProblem({ ...f, title: 'Loops', maxCollaborators: '' })).toBeNull();
  });

  it('builds the create input: the access code upper case and only for a private session, mode and activity for staff', () => {
    const f = {
      ...newSessionForm('act-1'),
      title: ' Loops ',
      startingCode: 'print(1)\n',
      visibility: 'CODE' as const,
      accessCode: ' ab12 ',
      maxCollaborators: '30',
    };
    expect(createInput('c-1', f, true)).toEqual({
      courseId: 'c-1',
      title: 'Loops',
      description: '',
      language: 'PYTHON',
      startingCode: 'print(1)\n',
      visibility: 'CODE',
      accessCode: 'AB12',
      maxCollaborators: 30,
      mode: 'PER_STUDENT',
      activityId: 'act-1',
    });
    const student = createInput('c-1', { ...f, visibility: 'COURSE' }, false);
    expect(student.accessCode).toBeNull();
    expect(student).not.toHaveProperty('mode');
    expect(student).not.toHaveProperty('activityId');
  });

  it('builds the update input, clearing a removed limit and activity', () => {
    const s = {
      title: 'Loops',
      description: 'd',
      language: 'GO',
      startingCode: '',
      visibility: 'COURSE',
      accessCode: null,
      maxCollaborators: 4,
      mode: 'SHARED',
      activity: { id: 'act-1', title: 'A' },
    } as unknown as CollabSessionSummary;
    const f = sessionFormOf(s);
    expect(f).toMatchObject({ maxCollaborators: 4, activityId: 'act-1', accessCode: '' });
    expect(updateInput({ ...f, maxCollaborators: '', activityId: null }, true)).toMatchObject({
      clearMaxCollaborators: true,
      clearActivity: true,
    });
    expect(updateInput(f, true)).toMatchObject({ maxCollaborators: 4, activityId: 'act-1' });
    expect(updateInput(f, false)).not.toHaveProperty('clearActivity');
  });

  it('makes access codes without look-alike characters', () => {
    for (let i = 0; i < 50; i++) expect(generateAccessCode()).toMatch(/^[A-HJKMNP-Z2-9]{6}$/);
  });

  it('shows a refused access code under its field', () => {
    const e = new CombinedGraphQLErrors({ errors: [{ message: 'Wrong code', extensions: { code: 'ACCESS_CODE_INVALID' } }] });
    expect(sessionError(e)).toEqual({ field: 'accessCode', message: 'Wrong code' });
    const t = new CombinedGraphQLErrors({ errors: [{ message: 'Too long', extensions: { code: 'BAD_USER_INPUT', field: 'title' } }] });
    expect(sessionError(t).field).toBe('title');
  });
});
