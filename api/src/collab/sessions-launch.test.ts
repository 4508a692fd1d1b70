/**
 * Handing out a session from the LMS, through real launches from a Moodle-shaped platform stand-in: a launch of a
 * resource link placed in the Collab section lands on `/courses/<id>/collab?activity=<our link id>`, other sections
 * keep their page; staff list the course's activities (Collab's first) and link a session to one; whoever reads the
 * course finds the session handed out from it (collabSessionForActivity), null for an activity without one, and an
 * activity of another tenant is NOT_FOUND.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, seed } from '../../test/harness.js';
import { code, ok } from '../../test/chat.js';
import { runLaunch, startLtiEnv, type LtiEnv } from '../../test/lti-harness.js';
import { ACTIVITIES, FOR_ACTIVITY, UPDATE, createSession, joinSession, type SessionOut } from '../../test/collab-sessions.js';

const ME = `{ me { course { id } } }`;

describe('collab sessions handed out from LMS activities', () => {
  let env: LtiEnv;
  beforeAll(async () => {
    env = await startLtiEnv('moodle', { env: { RATE_LIMIT_WRITE: '100000/10' } });
  });
  afterAll(() => env?.close());

  it('a collab launch opens the session of its activity; staff link sessions to the course’s activities', async () => {
    const collabLink = { id: 'collab-exercise-1', title: 'Exercise 1: recursion', custom: { lt_section: 'collab' } };
    const inst = await runLaunch(env, { user: 'instructor', resourceLink: collabLink });
    expect(inst.error).toBeUndefined();
    const courseId = ok(await gql(env.app.url, ME, {}, inst.token)).me.course.id as string;
    const m = /^\/courses\/([0-9a-f-]{36})\/collab\?activity=([0-9a-f-]{36})$/.exec(inst.redirect ?? '');
    expect(m, inst.redirect).not.toBeNull();
    expect(m![1]).toBe(courseId);
    const activityId = m![2]!;
    // Another section's link keeps its page; the same collab link launched by a learner lands on the same activity.
    const hub = await runLaunch(env, { user: 'instructor', resourceLink: { id: 'hub-1', title: 'Course hub', custom: {} } });
    expect(hub.redirect).toBe(`/courses/${courseId}/hub`);
    const learner = await runLaunch(env, { user: 'learner', resourceLink: collabLink });
    expect(learner.redirect).toBe(`/courses/${courseId}/collab?activity=${activityId}`);

    // Staff list the activities, the Collab section's first; learners do not.
    const activities = ok(await gql(env.app.url, ACTIVITIES, { courseId }, inst.token)).collabActivities as { id: string; title: string }[];
    expect(activities[0]).toEqual({ id: activityId, title: 'Exercise 1: recursion' });
    expect(activities.map((a) => a.title)).toContain('Course hub');
    const hubId = activities.find((a) => a.title === 'Course hub')!.id;
    expect(code((await gql(env.app.url, ACTIVITIES, { courseId }, learner.token)).body)).toBe('FORBIDDEN');

    // No session yet: null (the Collab tab then offers staff to create one for it).
    expect(ok(await gql(env.app.url, FOR_ACTIVITY, { activityId }, learner.token)).collabSessionForActivity).toBeNull();
    const s = await createSession(env.app, inst.token!, courseId, { mode: 'PER_STUDENT', activityId, title: 'Recursion' });
    expect(s.activity).toEqual({ id: activityId, title: 'Exercise 1: recursion' });
    const found = ok(await gql(env.app.url, FOR_ACTIVITY, { activityId }, learner.token)).collabSessionForActivity;
    expect(found).toMatchObject({ id: s.id, title: 'Recursion', activity: { id: activityId } });
    expect((await joinSession(env.app, learner.token!, s.id)).ownerId).not.toBeNull();
    expect(ok(await gql(env.app.url, FOR_ACTIVITY, { activityId: hubId }, learner.token)).collabSessionForActivity).toBeNull();

    // Linking is for staff; a link can move to another activity, and be cleared.
    const own = await createSession(env.app, learner.token!, courseId, { title: 'Study group' });
    expect(
      (
        await gql(
          env.app.url,
          `mutation($input: CreateCollabSessionInput!) { createCollabSession(input: $input) { id } }`,
          {
            input: { courseId, title: 'x', language: 'GO', activityId },
          },
          learner.token,
        )
      ).body.errors?.[0]?.extensions,
    ).toMatchObject({ code: 'FORBIDDEN', reason: 'STAFF_ONLY' });
    expect(code((await gql(env.app.url, UPDATE, { id: own.id, input: { activityId } }, learner.token)).body)).toBe('FORBIDDEN');
    const moved = ok(await gql(env.app.url, UPDATE, { id: s.id, input: { activityId: hubId } }, inst.token))
      .updateCollabSession as SessionOut;
    expect(moved.activity?.id).toBe(hubId);
    expect(ok(await gql(env.app.url, FOR_ACTIVITY, { activityId: hubId }, learner.token)).collabSessionForActivity.id).toBe(s.id);
    const cleared = ok(await gql(env.app.url, UPDATE, { id: s.id, input: { clearActivity: true } }, inst.token)).updateCollabSession;
    expect(cleared.activity).toBeNull();
    expect(ok(await gql(env.app.url, FOR_ACTIVITY, { activityId: hubId }, learner.token)).collabSessionForActivity).toBeNull();

    // Another tenant's people cannot see the activity, nor link it.
    const elsewhere = await seed(env.app.core, 'other-tenant');
    expect(code((await gql(env.app.url, FOR_ACTIVITY, { activityId }, elsewhere.instructorToken)).body)).toBe('NOT_FOUND');
    expect(code((await gql(env.app.url, FOR_ACTIVITY, { activityId: 'not-an-id' }, learner.token)).body)).toBe('NOT_FOUND');
    const theirs = await gql(
      env.app.url,
      `mutation($input: CreateCollabSessionInput!) { createCollabSession(input: $input) { id } }`,
      { input: { courseId: elsewhere.course.id, title: 'x', language: 'GO', activityId } },
      elsewhere.instructorToken,
    );
    expect(theirs.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'activityId' });
  });
});
