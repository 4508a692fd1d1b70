/**
 * Collab sessions on a real PostgreSQL and Redis, and on PGlite: creating them (bad and hostile input refused with its
 * field, a private session's generated code), the course list followed live (created, updated, deleted), access codes
 * (required, invalid, any case, managers need none, hidden from others), locks (a student's edit DOCUMENT_LOCKED, the
 * managers still edit, unlock restores, the session stream tells), forking per student (each copy starts from the
 * shared text, and copies, the shared document and each other never exchange edits: real Yjs updates), the class
 * grid (every learner, started once they type, copy.created live), who may do what (another tenant: NOT_FOUND; guests
 * and API keys: FORBIDDEN with their reason; a student owner manages their own session, not an exercise) and deletion
 * (documents and their update logs gone, the session stream's last event).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { gql, seed, startApp, subscribe, wsClient, type TestApp } from '../../test/harness.js';
import { addMember, apiKeyOf, code, instructorOf, learnerOf, listening, ok, subCode } from '../../test/chat.js';
import {
  COURSE_EVENTS,
  CREATE,
  DELETE,
  Editor,
  errorOf,
  FORK,
  GRID,
  JOIN,
  LIST,
  LOCK,
  ONE,
  SESSION_EVENTS,
  UPDATE,
  createSession,
  joinSession,
  sessionInput,
  type CourseEventOut,
  type SessionEventOut,
  type SessionOut,
} from '../../test/collab-sessions.js';
import { collabDocuments, collabMembers } from './tables.js';
import { collabDocStream } from './events.js';

const TEXT = `query($id: ID!) { collabDocument(id: $id) { text } }`;

describe.each([
  { name: 'PostgreSQL', embedded: false },
  { name: 'PGlite', embedded: true },
])('collab sessions ($name)', ({ embedded }) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ embedded, env: { RATE_LIMIT_WRITE: '100000/10', COLLAB_MAX_DOCUMENT_CHARS: '5000' } });
  });
  afterAll(async () => {
    await app?.close();
  });

  const q = (query: string, variables: Record<string, unknown>, token?: string) => gql(app.url, query, variables, token);
  /** The text the server holds for a document (read by a manager). */
  const serverText = async (token: string, id: string) => ok(await q(TEXT, { id }, token)).collabDocument.text as string;

  it('creates sessions (bad input refused with its field, hostile text cleaned), and the course list follows created, updated, deleted', async () => {
    const f = await seed(app.core, 'create');
    const inst = instructorOf(f);
    const lee = learnerOf(f);
    const list = ok(await q(LIST, { courseId: f.course.id }, lee.token)).collabSessions;
    expect(list.sessions).toEqual([]);
    const { client } = wsClient(app.wsUrl, lee.token);
    const before = app.core.services.realtime.activeSubscriptions;
    const events = subscribe<CourseEventOut>(
      client,
      COURSE_EVENTS,
      { courseId: f.course.id, after: list.cursor },
      'courseCollabSessionEvents',
    );
    await listening(app, before);

    const refused = async (extra: Record<string, unknown>) =>
      errorOf((await q(CREATE, { input: sessionInput(f.course.id, extra) }, inst.token)).body);
    expect(await refused({ title: '  ' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'title' });
    expect(await refused({ title: 'x'.repeat(121) })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'title' });
    expect(await refused({ title: 'a\u0000b' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'title' });
    expect(await refused({ description: 'd'.repeat(2001) })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'description' });
    expect(await refused({ startingCode: 'x'.repeat(5001) })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'startingCode' });
    expect(await refused({ startingCode: 'print("\ud800")' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'startingCode' });
    expect(await refused({ visibility: 'CODE', accessCode: 'abc' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'accessCode' });
    expect(await refused({ visibility: 'CODE', accessCode: 'no spaces' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'accessCode' });
    expect(await refused({ visibility: 'CODE', accessCode: 'A'.repeat(33) })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'accessCode',
    });
    expect(await refused({ accessCode: 'OPEN-1234' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'accessCode' });
    expect(await refused({ maxCollaborators: 0 })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'maxCollaborators' });
    expect(await refused({ maxCollaborators: 501 })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'maxCollaborators' });
    expect(await refused({ activityId: '5a0f5b8e-0000-4000-8000-000000000000' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'activityId',
    });
    expect(ok(await q(LIST, { courseId: f.course.id }, inst.token)).collabSessions.sessions).toEqual([]);

    // Control characters and bidi overrides go; the code keeps its tabs and new lines (CRLF normalised).
    const s = await createSession(app, inst.token, f.course.id, {
      title: 'Week\u0007 1:\u202e loops ',
      description: 'Work in pairs.\u0007',
      startingCode: 'for i in range(3):\r\n\tprint(i)\u202e\n',
      visibility: 'CODE',
      maxCollaborators: 30,
    });
    expect(s).toMatchObject({
      title: 'Week 1: loops',
      language: 'PYTHON',
      visibility: 'CODE',
      mode: 'SHARED',
      locked: false,
      collaboratorCount: 0,
    });
    expect(s.startingCode).toBe('for i in range(3):\n\tprint(i)\n');
    // No code given: one is made, of 8 characters that cannot be misread.
    expect(s.accessCode).toMatch(/^[A-HJKMNP-Z2-9]{8}$/);
    expect(s).toMatchObject({ ownerId: f.instructor.id, ownerName: f.instructor.name, viewerCanManage: true, viewerJoined: true });
    expect(s.viewerDocumentId).toBe(s.sharedDocumentId);
    const other = await createSession(app, inst.token, f.course.id, { title: 'Second', visibility: 'CODE', accessCode: 'abcd-2024' });
    expect(other.accessCode).toBe('ABCD-2024');

    // The learner's view: no code, not joined, nothing to open yet; the list is newest first.
    const seen = ok(await q(LIST, { courseId: f.course.id }, lee.token)).collabSessions.sessions as SessionOut[];
    expect(seen.map((x) => x.id)).toEqual([other.id, s.id]);
    expect(seen[1]).toMatchObject({ accessCode: null, viewerCanManage: false, viewerJoined: false, viewerDocumentId: null });

    const renamed = ok(await q(UPDATE, { id: s.id, input: { title: 'Week 1: for loops', clearMaxCollaborators: true } }, inst.token))
      .updateCollabSession as SessionOut;
    expect(renamed).toMatchObject({ title: 'Week 1: for loops', maxCollaborators: null, accessCode: s.accessCode, visibility: 'CODE' });
    const open = ok(await q(UPDATE, { id: other.id, input: { visibility: 'COURSE' } }, inst.token)).updateCollabSession as SessionOut;
    expect(open).toMatchObject({ visibility: 'COURSE', accessCode: null });
    // Back to private without a code: a new one is made.
    const closed = ok(await q(UPDATE, { id: other.id, input: { visibility: 'CODE' } }, inst.token)).updateCollabSession as SessionOut;
    expect(closed.accessCode).toMatch(/^[A-HJKMNP-Z2-9]{8}$/);
    expect(code((await q(UPDATE, { id: s.id, input: { title: 'mine now' } }, lee.token)).body)).toBe('FORBIDDEN');
    expect(ok(await q(DELETE, { id: other.id }, inst.token)).deleteCollabSession).toBe(true);

    const got = await events.waitFor(6);
    expect(got.map((e) => [e.type, e.sessionId])).toEqual([
      ['session.created', s.id],
      ['session.created', other.id],
      ['session.updated', s.id],
      ['session.updated', other.id],
      ['session.updated', other.id],
      ['session.deleted', other.id],
    ]);
    // Each session read for the subscriber: the learner sees no access code.
    expect(got[2]!.session).toMatchObject({ title: 'Week 1: for loops', viewerCanManage: false, accessCode: null });
    expect(got[5]!.session).toBeNull();
    // Cursors grow, and resuming from one replays exactly what came after it.
    const resumed = subscribe<CourseEventOut>(
      client,
      COURSE_EVENTS,
      { courseId: f.course.id, after: got[3]!.cursor },
      'courseCollabSessionEvents',
    );
    expect((await resumed.waitFor(2)).map((e) => e.cursor)).toEqual([got[4]!.cursor, got[5]!.cursor]);
    events.stop();
    resumed.stop();
    await client.dispose();
  });

  it('access codes: required, checked in any case, not asked again, not asked of managers, shown to managers only', async () => {
    const f = await seed(app.core, 'codes');
    const inst = instructorOf(f);
    const lee = learnerOf(f);
    const ta = await addMember(app.core, f, 'Tao TA', ['teaching_assistant']);
    const s = await createSession(app, inst.token, f.course.id, { visibility: 'CODE', accessCode: 'Py-Club-7' });
    expect(s.accessCode).toBe('PY-CLUB-7');

    expect(code((await q(JOIN, { id: s.id }, lee.token)).body)).toBe('ACCESS_CODE_REQUIRED');
    expect(code((await q(JOIN, { id: s.id, accessCode: 'PY-CLUB-8' }, lee.token)).body)).toBe('ACCESS_CODE_INVALID');
    expect(code((await q(JOIN, { id: s.id, accessCode: 'x'.repeat(5000) }, lee.token)).body)).toBe('ACCESS_CODE_INVALID');
    // Refused joins leave nothing behind.
    const members = async () =>
      Number(
        (await app.core.services.database.db.select({ n: count() }).from(collabMembers).where(eq(collabMembers.sessionId, s.id)))[0]!.n,
      );
    expect(await members()).toBe(0);
    const asLee = ok(await q(ONE, { id: s.id }, lee.token)).collabSession as SessionOut;
    expect(asLee).toMatchObject({ accessCode: null, viewerJoined: false, viewerDocumentId: null });
    // The shared document is not readable before joining.
    expect(code((await q(TEXT, { id: s.sharedDocumentId }, lee.token)).body)).toBe('NOT_JOINED');

    const doc = await joinSession(app, lee.token, s.id, ' py-club-7 ');
    expect(doc).toMatchObject({ id: s.sharedDocumentId, ownerId: null, text: s.startingCode, viewerCanEdit: true, viewerCanManage: false });
    // Joined: no code asked again, the same document.
    expect((await joinSession(app, lee.token, s.id)).id).toBe(s.sharedDocumentId);
    expect(ok(await q(ONE, { id: s.id }, lee.token)).collabSession).toMatchObject({
      viewerJoined: true,
      viewerDocumentId: s.sharedDocumentId,
      collaboratorCount: 1,
      accessCode: null,
    });
    // Staff need no code, and are not counted.
    const taDoc = await joinSession(app, ta.token, s.id);
    expect(taDoc).toMatchObject({ id: s.sharedDocumentId, viewerCanManage: true });
    const asTa = ok(await q(ONE, { id: s.id }, ta.token)).collabSession as SessionOut;
    expect(asTa).toMatchObject({ accessCode: 'PY-CLUB-7', collaboratorCount: 1, viewerCanManage: true });
    expect(await members()).toBe(1);
  });

  it('locks: a student’s edit is DOCUMENT_LOCKED while locked, the managers still edit, unlocking restores; the session stream tells', async () => {
    const f = await seed(app.core, 'locks');
    const inst = instructorOf(f);
    const lee = learnerOf(f);
    const mia = await addMember(app.core, f, 'Mia Learner');
    // A student's own session: its owner manages it.
    const s = await createSession(app, mia.token, f.course.id, { startingCode: 'x = 1\n' });
    expect(s.viewerCanManage).toBe(true);
    const leeDoc = await joinSession(app, lee.token, s.id);
    const leeEd = new Editor(app, lee.token, leeDoc.id, leeDoc.state);
    const miaEd = new Editor(app, mia.token, s.sharedDocumentId, (await joinSession(app, mia.token, s.id)).state);
    ok(await leeEd.insert('y = 2\n'));

    const { client } = wsClient(app.wsUrl, lee.token);
    const before = app.core.services.realtime.activeSubscriptions;
    const events = subscribe<SessionEventOut>(client, SESSION_EVENTS, { sessionId: s.id, after: s.cursor }, 'collabSessionEvents');
    await listening(app, before);

    // Only managers lock.
    expect(code((await q(LOCK, { id: s.id, locked: true }, lee.token)).body)).toBe('FORBIDDEN');
    const locked = ok(await q(LOCK, { id: s.id, locked: true }, mia.token)).setCollabSessionLocked as SessionOut;
    expect(locked.locked).toBe(true);
    const [ev] = await events.waitFor(1);
    expect(ev).toMatchObject({ type: 'session.updated', sessionId: s.id, session: { locked: true } });

    expect(code((await leeEd.insert('z = 3\n')).body)).toBe('DOCUMENT_LOCKED');
    expect((await joinSession(app, lee.token, s.id)).viewerCanEdit).toBe(false);
    ok(await miaEd.insert('# owner\n', 0));
    // The instructor edits too (through the document they open).
    const instDoc = await joinSession(app, inst.token, s.id);
    const instEd = new Editor(app, inst.token, instDoc.id, instDoc.state);
    ok(await instEd.insert('# staff\n', 0));
    expect(await serverText(inst.token, s.sharedDocumentId)).not.toContain('z = 3');

    // Locking again changes nothing and tells no one; unlocking does.
    ok(await q(LOCK, { id: s.id, locked: true }, inst.token));
    ok(await q(LOCK, { id: s.id, locked: false }, inst.token));
    const got = await events.waitFor(2);
    expect(got[1]).toMatchObject({ type: 'session.updated', session: { locked: false } });
    expect(got).toHaveLength(2);
    ok(await leeEd.insert('z = 3\n'));
    const text = await serverText(inst.token, s.sharedDocumentId);
    expect(text).toContain('# owner\n');
    expect(text).toContain('# staff\n');
    expect(text.endsWith('x = 1\ny = 2\nz = 3\n')).toBe(true);
    events.stop();
    await client.dispose();
  });

  it('fork per student: each copy starts from the shared text, and no edit crosses between copies and the shared document', async () => {
    const f = await seed(app.core, 'fork');
    const inst = instructorOf(f);
    const ana = learnerOf(f);
    const ben = await addMember(app.core, f, 'Ben Learner');
    const s = await createSession(app, inst.token, f.course.id, { startingCode: 'def solve():\n' });
    const shared = new Editor(app, ana.token, s.sharedDocumentId, (await joinSession(app, ana.token, s.id)).state);
    ok(await shared.insert('    return 42\n'));
    await joinSession(app, ben.token, s.id);

    const { client } = wsClient(app.wsUrl, inst.token);
    const before = app.core.services.realtime.activeSubscriptions;
    const events = subscribe<SessionEventOut>(client, SESSION_EVENTS, { sessionId: s.id, after: s.cursor }, 'collabSessionEvents');
    await listening(app, before);

    expect(code((await q(FORK, { id: s.id }, ana.token)).body)).toBe('FORBIDDEN');
    const forked = ok(await q(FORK, { id: s.id }, inst.token)).forkCollabSession as SessionOut;
    expect(forked.mode).toBe('PER_STUDENT');
    expect(forked.forkedAt).not.toBeNull();
    expect(code((await q(FORK, { id: s.id }, inst.token)).body)).toBe('CONFLICT');
    expect((await events.waitFor(1))[0]).toMatchObject({ type: 'session.updated', session: { mode: 'PER_STUDENT' } });

    // Before opening it, a student has no copy; opening makes it from the shared text.
    expect(ok(await q(ONE, { id: s.id }, ana.token)).collabSession.viewerDocumentId).toBeNull();
    const anaDoc = await joinSession(app, ana.token, s.id);
    const benDoc = await joinSession(app, ben.token, s.id);
    expect(anaDoc).toMatchObject({
      ownerId: f.learner.id,
      ownerName: f.learner.name,
      text: 'def solve():\n    return 42\n',
      viewerCanEdit: true,
    });
    expect(benDoc).toMatchObject({ ownerId: ben.user.id, text: 'def solve():\n    return 42\n' });
    expect(new Set([anaDoc.id, benDoc.id, s.sharedDocumentId]).size).toBe(3);
    expect((await joinSession(app, ana.token, s.id)).id).toBe(anaDoc.id);
    expect(ok(await q(ONE, { id: s.id }, ana.token)).collabSession.viewerDocumentId).toBe(anaDoc.id);
    // The shared document is now the template: students read it, only managers edit it.
    expect(code((await shared.insert('# mine\n')).body)).toBe('FORBIDDEN');
    // One student may not read another's copy.
    expect(code((await q(TEXT, { id: benDoc.id }, ana.token)).body)).toBe('NOT_FOUND');

    const anaEd = new Editor(app, ana.token, anaDoc.id, anaDoc.state);
    const benEd = new Editor(app, ben.token, benDoc.id, benDoc.state);
    const template = new Editor(app, inst.token, s.sharedDocumentId, (await joinSession(app, inst.token, s.id)).state);
    ok(await anaEd.insert('# Ana was here\n', 0));
    ok(await benEd.insert('print(solve())\n'));
    ok(await template.insert('# template note\n', 0));
    expect(await serverText(inst.token, anaDoc.id)).toBe('# Ana was here\ndef solve():\n    return 42\n');
    expect(await serverText(inst.token, benDoc.id)).toBe('def solve():\n    return 42\nprint(solve())\n');
    expect(await serverText(inst.token, s.sharedDocumentId)).toBe('# template note\ndef solve():\n    return 42\n');
    // A copy's update log is its own: no update of the template or the other copy in it.
    const log = await app.core.services.realtime.read(collabDocStream(anaDoc.id), 0, 100);
    expect(log.map((e) => e.payload.userId)).toEqual([f.learner.id]);

    // Both copies were announced to the manager.
    const copies = (await events.waitFor(3)).filter((e) => e.type === 'copy.created');
    expect(copies.map((e) => e.copy!.userId).sort()).toEqual([f.learner.id, ben.user.id].sort());
    events.stop();
    await client.dispose();
  });

  it('the class grid: every learner by name, started once they type, their copy announced live; managers only', async () => {
    const f = await seed(app.core, 'grid');
    const inst = instructorOf(f);
    const ana = learnerOf(f);
    const ben = await addMember(app.core, f, 'Ben Learner');
    await addMember(app.core, f, 'Gus Guest', ['guest']);
    await addMember(app.core, f, 'Tao TA', ['teaching_assistant']);
    const s = await createSession(app, inst.token, f.course.id, { mode: 'PER_STUDENT', startingCode: 'SELECT 1;\n', language: 'SQL' });
    expect(s).toMatchObject({ mode: 'PER_STUDENT', language: 'SQL' });
    expect(s.forkedAt).not.toBeNull();

    const grid = ok(await q(GRID, { sessionId: s.id }, inst.token)).collabGrid;
    expect(grid.session).toEqual({ id: s.id, mode: 'PER_STUDENT' });
    expect(grid.copies).toEqual([
      { userId: ben.user.id, userName: 'Ben Learner', started: false, document: null },
      { userId: f.learner.id, userName: f.learner.name, started: false, document: null },
    ]);
    expect(code((await q(GRID, { sessionId: s.id }, ana.token)).body)).toBe('FORBIDDEN');

    const { client } = wsClient(app.wsUrl, inst.token);
    const before = app.core.services.realtime.activeSubscriptions;
    const events = subscribe<SessionEventOut>(client, SESSION_EVENTS, { sessionId: s.id, after: grid.cursor }, 'collabSessionEvents');
    // A student following the session sees their own copy only.
    const anaWs = wsClient(app.wsUrl, ana.token);
    const anaEvents = subscribe<SessionEventOut>(
      anaWs.client,
      SESSION_EVENTS,
      { sessionId: s.id, after: grid.cursor },
      'collabSessionEvents',
    );
    await listening(app, before, 2);

    const benDoc = await joinSession(app, ben.token, s.id);
    const [ev] = await events.waitFor(1);
    expect(ev).toMatchObject({
      type: 'copy.created',
      copy: {
        userId: ben.user.id,
        userName: 'Ben Learner',
        started: false,
        document: { id: benDoc.id, ownerId: ben.user.id, text: 'SELECT 1;\n' },
      },
    });
    const anaDoc = await joinSession(app, ana.token, s.id);
    await events.waitFor(2);
    const mine = await anaEvents.waitFor(1);
    expect(mine.map((e) => e.copy?.userId)).toEqual([f.learner.id]);

    ok(await new Editor(app, ana.token, anaDoc.id, anaDoc.state).insert('SELECT 2;\n'));
    const after = ok(await q(GRID, { sessionId: s.id }, inst.token)).collabGrid;
    const byUser = new Map(after.copies.map((c: any) => [c.userId, c]));
    expect(byUser.get(f.learner.id)).toMatchObject({
      started: true,
      document: { id: anaDoc.id, text: 'SELECT 1;\nSELECT 2;\n', viewerCanEdit: true },
    });
    expect(byUser.get(ben.user.id)).toMatchObject({ started: false, document: { id: benDoc.id, text: 'SELECT 1;\n' } });
    expect(BigInt(after.cursor)).toBeGreaterThan(BigInt(grid.cursor));
    // The manager edits a copy (helping inside it); the student's copy is still "started" by its student only.
    ok(await new Editor(app, inst.token, benDoc.id, benDoc.state).insert('-- hint\n', 0));
    const third = ok(await q(GRID, { sessionId: s.id }, inst.token)).collabGrid;
    expect(third.copies.find((c: any) => c.userId === ben.user.id)).toMatchObject({
      started: false,
      document: { text: '-- hint\nSELECT 1;\n' },
    });
    events.stop();
    anaEvents.stop();
    await client.dispose();
    await anaWs.client.dispose();
  });

  it('who may do what: another tenant gets NOT_FOUND; guests and API keys are FORBIDDEN with their reason; exercises are for staff', async () => {
    const f = await seed(app.core, 'roles');
    const inst = instructorOf(f);
    const lee = learnerOf(f);
    const guest = await addMember(app.core, f, 'Gus Guest', ['guest']);
    const key = await apiKeyOf(app.core, f, ['read', 'write']);
    const elsewhere = await seed(app.core, 'other-tenant');
    const s = await createSession(app, inst.token, f.course.id);

    for (const op of [
      [ONE, { id: s.id }],
      [JOIN, { id: s.id }],
      [GRID, { sessionId: s.id }],
      [LOCK, { id: s.id, locked: true }],
      [DELETE, { id: s.id }],
      [TEXT, { id: s.sharedDocumentId }],
    ] as const)
      expect(code((await q(op[0], op[1], elsewhere.instructorToken)).body)).toBe('NOT_FOUND');
    expect(code((await q(LIST, { courseId: f.course.id }, elsewhere.instructorToken)).body)).toBe('NOT_FOUND');
    expect(code((await q(CREATE, { input: sessionInput(f.course.id) }, elsewhere.instructorToken)).body)).toBe('NOT_FOUND');
    const { client } = wsClient(app.wsUrl, elsewhere.instructorToken);
    const foreign = subscribe(client, SESSION_EVENTS, { sessionId: s.id }, 'collabSessionEvents');
    await foreign.ended();
    expect(subCode(foreign.errors)).toBe('NOT_FOUND');
    await client.dispose();

    expect(errorOf((await q(CREATE, { input: sessionInput(f.course.id) }, guest.token)).body)).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'GUEST',
    });
    expect(errorOf((await q(JOIN, { id: s.id }, guest.token)).body)).toMatchObject({ code: 'FORBIDDEN', reason: 'GUEST' });
    expect(errorOf((await q(CREATE, { input: sessionInput(f.course.id) }, key)).body)).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'API_KEY',
    });
    expect(errorOf((await q(JOIN, { id: s.id }, key)).body)).toMatchObject({ code: 'FORBIDDEN', reason: 'API_KEY' });
    // Guests and keys read the list.
    expect(ok(await q(LIST, { courseId: f.course.id }, guest.token)).collabSessions.sessions).toHaveLength(1);
    expect(ok(await q(LIST, { courseId: f.course.id }, key)).collabSessions.sessions[0]).toMatchObject({
      id: s.id,
      viewerCanManage: false,
    });

    // A learner creates a shared session and manages it; handing out an exercise is for staff.
    expect(errorOf((await q(CREATE, { input: sessionInput(f.course.id, { mode: 'PER_STUDENT' }) }, lee.token)).body)).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'STAFF_ONLY',
    });
    const own = await createSession(app, lee.token, f.course.id, { title: 'Study group' });
    expect(own).toMatchObject({ ownerId: f.learner.id, viewerCanManage: true });
    ok(await q(UPDATE, { id: own.id, input: { description: 'Bring questions' } }, lee.token));
    expect(ok(await q(ONE, { id: own.id }, inst.token)).collabSession).toMatchObject({
      description: 'Bring questions',
      viewerCanManage: true,
    });
    expect(code((await q(UPDATE, { id: s.id, input: { title: 'taken' } }, lee.token)).body)).toBe('FORBIDDEN');
    expect(code((await q(DELETE, { id: s.id }, lee.token)).body)).toBe('FORBIDDEN');
  });

  it('deletion removes the documents and their update logs; the session stream ends with session.deleted', async () => {
    const f = await seed(app.core, 'delete');
    const inst = instructorOf(f);
    const lee = learnerOf(f);
    const s = await createSession(app, inst.token, f.course.id, { mode: 'PER_STUDENT' });
    const copy = await joinSession(app, lee.token, s.id);
    ok(await new Editor(app, lee.token, copy.id, copy.state).insert('# done\n'));
    const rt = app.core.services.realtime;
    expect(await rt.read(collabDocStream(copy.id), 0, 10)).toHaveLength(1);

    const { client } = wsClient(app.wsUrl, lee.token);
    const before = rt.activeSubscriptions;
    const events = subscribe<SessionEventOut>(client, SESSION_EVENTS, { sessionId: s.id }, 'collabSessionEvents');
    await listening(app, before);

    ok(await q(DELETE, { id: s.id }, inst.token));
    await events.ended();
    expect(events.items.map((e) => e.type)).toEqual(['session.deleted']);
    expect(code((await q(ONE, { id: s.id }, lee.token)).body)).toBe('NOT_FOUND');
    expect(code((await q(TEXT, { id: copy.id }, inst.token)).body)).toBe('NOT_FOUND');
    const db = app.core.services.database.db;
    expect(await db.select().from(collabDocuments).where(eq(collabDocuments.sessionId, s.id))).toEqual([]);
    expect(await rt.read(collabDocStream(copy.id), 0, 10)).toEqual([]);
    expect(await rt.read(collabDocStream(s.sharedDocumentId), 0, 10)).toEqual([]);
    expect(code((await q(DELETE, { id: s.id }, inst.token)).body)).toBe('NOT_FOUND');
    await client.dispose();
  });
});
