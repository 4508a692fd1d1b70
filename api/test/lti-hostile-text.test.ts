/**
 * A platform's hostile or broken text (a NUL, a lone surrogate, bidi and zero-width characters, stacked
 * combining marks in the name and course claims) never fails a launch: it is cleaned once (src/text.ts) and
 * stored as it will be shown.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { gql } from './harness.js';
import { runLaunch, startLtiEnv, type LtiEnv } from './lti-harness.js';
import { MAX_MARKS } from '../src/text.js';

const CONTEXT = 'https://purl.imsglobal.org/spec/lti/claim/context';
let env: LtiEnv;
beforeAll(async () => {
  env = await startLtiEnv('moodle');
});
afterAll(() => env?.close());

it('a launch whose name and course claims hold NUL, lone surrogates, bidi and zero-width characters and stacked marks succeeds, cleaned', async () => {
  const r = await runLaunch(env, {
    user: 'learner',
    mutateClaims: (c) => ({
      ...c,
      name: 'Eve \u202eEXE.txt\u202c \u2066Ada\u2069\u200b\u0000 Z' + '\u0301'.repeat(150) + ' \ud800',
      [CONTEXT]: { ...c[CONTEXT], title: 'Intro\u0000 to \udc00Programming \u202e' },
    }),
  });
  expect(r.error).toBeUndefined();
  expect(r.status).toBe(200);
  const me = await gql(env.app.url, '{ me { user { name } course { title } } }', {}, r.token);
  expect(me.body.errors).toBeUndefined();
  expect(me.body.data.me.user.name).toBe('Eve EXE.txt Ada Z' + '\u0301'.repeat(MAX_MARKS) + ' \ufffd');
  expect(me.body.data.me.course.title).toBe('Intro to \ufffdProgramming');
});
