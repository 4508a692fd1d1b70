import { describe, expect, it } from 'vitest';
import { addEntry, totals, type EntryLike, type ReportLike } from './report';

const empty: ReportLike = { cursor: '0', byDay: [], byStudent: [], byModel: [] };
const call = (n: number, userId: string, name: string, tokens: [number, number], extra: Partial<EntryLike> = {}): EntryLike => ({
  cursor: String(n),
  day: '2026-12-06',
  userId,
  name,
  tutorRoomId: `room-${userId}`,
  model: 'gpt-4o-mini',
  promptTokens: tokens[0],
  completionTokens: tokens[1],
  costUsd: 0.0001,
  calls: 1,
  refused: 0,
  ...extra,
});
const refusal = (n: number, userId: string, name: string): EntryLike => call(n, userId, name, [0, 0], { costUsd: 0, calls: 0, refused: 1 });

describe('the usage report followed live', () => {
  it('adds calls and refusals to their day, student and model, in the server’s orders', () => {
    let r = addEntry(empty, call(1, 'a', 'Alan Turing', [180, 26]));
    r = addEntry(r, refusal(2, 'a', 'Alan Turing'));
    r = addEntry(r, call(3, 'g', 'Grace Hopper', [400, 100], { day: '2026-12-07' }));
    r = addEntry(r, refusal(4, 'z', 'Zed Zero'));
    expect(r.cursor).toBe('4');
    expect(r.byDay).toEqual([
      { day: '2026-12-06', promptTokens: 180, completionTokens: 26, costUsd: 0.0001, calls: 1, refused: 2 },
      { day: '2026-12-07', promptTokens: 400, completionTokens: 100, costUsd: 0.0001, calls: 1, refused: 0 },
    ]);
    // Most tokens first; then who was refused more; then by name.
    expect(r.byStudent.map((s) => [s.name, s.promptTokens + s.completionTokens, s.calls, s.refused])).toEqual([
      ['Grace Hopper', 500, 1, 0],
      ['Alan Turing', 206, 1, 1],
      ['Zed Zero', 0, 0, 1],
    ]);
    expect(r.byModel).toEqual([{ model: 'gpt-4o-mini', promptTokens: 580, completionTokens: 126, costUsd: 0.0002, calls: 2 }]);
    expect(totals(r)).toEqual({ tokens: 706, calls: 2, refused: 2, cost: 0.0002 });
    // The report it started from is left as it was.
    expect(empty.byDay).toEqual([]);
  });

  it('keeps a known tutor room when an entry comes from a room of the course ("@tutor")', () => {
    let r = addEntry(empty, call(1, 'a', 'Alan Turing', [10, 2]));
    r = addEntry(r, call(2, 'a', 'Alan Turing', [10, 2], { tutorRoomId: null }));
    expect(r.byStudent[0]).toMatchObject({ tutorRoomId: 'room-a', calls: 2 });
  });
});
