import { describe, expect, it } from 'vitest';
import type { CollabCopySummary, CollabSessionSummary } from '../graphql/collab';
import { applyGridEvent, loadedGrid, tileState, TYPING_MS, upsertCopy, visibleTiles, type CollabGridEvent, type TileState } from './grid';

const copy = (userId: string, userName: string, documentId: string | null = null, started = false): CollabCopySummary => ({
  __typename: 'CollabCopy',
  userId,
  userName,
  started,
  document: documentId
    ? { __typename: 'CollabDocument', id: documentId, ownerId: userId, textLength: 0, editedAt: null, startedAt: null }
    : null,
});
const session = { id: 's-1', title: 'Loops', locked: false } as CollabSessionSummary;

describe('class grid', () => {
  it('adds a copy when its student opens the exercise, and never loses a document already known', () => {
    let grid = loadedGrid(session, [copy('u-1', 'Bea'), copy('u-2', 'Alan')]);
    const created: CollabGridEvent = {
      __typename: 'CollabSessionEvent',
      cursor: '3',
      type: 'copy.created',
      sessionId: 's-1',
      session: null,
      copy: copy('u-2', 'Alan', 'd-2'),
    };
    grid = applyGridEvent(grid, created);
    expect(grid.copies.get('u-2')?.document?.id).toBe('d-2');
    expect(grid.copies.get('u-1')?.document).toBeNull();
    // A replayed, older view of the copy (no document) keeps the one held.
    grid = upsertCopy(grid, copy('u-2', 'Alan'));
    expect(grid.copies.get('u-2')?.document?.id).toBe('d-2');
    // A learner not listed at load (enrolled since) gets a tile.
    grid = applyGridEvent(grid, { ...created, copy: copy('u-3', 'Cleo', 'd-3') });
    expect([...grid.copies.keys()]).toEqual(['u-1', 'u-2', 'u-3']);
    expect(applyGridEvent(grid, { ...created, type: 'session.deleted', copy: null }).deleted).toBe(true);
    const renamed = { ...session, title: 'Loops, again' };
    expect(applyGridEvent(grid, { ...created, type: 'session.updated', copy: null, session: renamed }).session?.title).toBe('Loops, again');
  });

  it('says not started until an edit, typing for a few seconds after one, then idle', () => {
    const c = copy('u-1', 'Bea', 'd-1');
    const now = 1_000_000;
    expect(tileState(c, null, now)).toBe('not-started');
    expect(tileState(c, now - 100, now)).toBe('typing');
    expect(tileState(c, now - TYPING_MS, now)).toBe('idle');
    expect(tileState({ ...c, started: true }, null, now)).toBe('idle');
  });

  it('filters by name or state and sorts by name or state', () => {
    const copies = [copy('u-1', 'Bea'), copy('u-2', 'alan'), copy('u-3', 'Cleo', 'd-3', true), copy('u-4', 'Dan', 'd-4', true)];
    const states = (c: CollabCopySummary): TileState => (c.userId === 'u-4' ? 'typing' : c.started ? 'idle' : 'not-started');
    expect(visibleTiles(copies, states, {}).map((c) => c.userName)).toEqual(['alan', 'Bea', 'Cleo', 'Dan']);
    expect(visibleTiles(copies, states, { sort: 'state' }).map((c) => c.userName)).toEqual(['Dan', 'Cleo', 'alan', 'Bea']);
    expect(visibleTiles(copies, states, { filter: ' A' }).map((c) => c.userName)).toEqual(['alan', 'Bea', 'Dan']);
    expect(visibleTiles(copies, states, { state: 'not-started' }).map((c) => c.userName)).toEqual(['alan', 'Bea']);
  });
});
