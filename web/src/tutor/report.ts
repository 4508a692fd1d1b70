/**
 * The instructor's usage report as a live list: loaded with its cursor, then each recorded entry (a provider call or
 * a refused question) added to its day, its student and its model. The report read at the cursor holds exactly the
 * entries up to it, and the subscription brings each later entry once, so adding is exact. Plain functions.
 */

interface Sums {
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  calls: number;
}

export interface ReportLike {
  cursor: string;
  byDay: readonly (Sums & { day: string; refused: number })[];
  byStudent: readonly (Sums & { userId: string; name: string; tutorRoomId: string | null; refused: number })[];
  byModel: readonly (Sums & { model: string })[];
}

export interface EntryLike extends Sums {
  cursor: string;
  day: string;
  userId: string;
  name: string;
  tutorRoomId: string | null;
  model: string;
  refused: number;
}

const add = <T extends Sums>(row: T, e: EntryLike): T => ({
  ...row,
  promptTokens: row.promptTokens + e.promptTokens,
  completionTokens: row.completionTokens + e.completionTokens,
  costUsd: row.costUsd + e.costUsd,
  calls: row.calls + e.calls,
});
const zero: Sums = { promptTokens: 0, completionTokens: 0, costUsd: 0, calls: 0 };
const tokens = (r: Sums) => r.promptTokens + r.completionTokens;

/** Adds one entry to its row of a list, or a new row for it; `order` sorts the result. */
function upsert<R>(list: readonly R[], found: (r: R) => boolean, update: (r: R) => R, create: () => R, order: (a: R, b: R) => number): R[] {
  const i = list.findIndex(found);
  const next = i >= 0 ? list.map((r, j) => (j === i ? update(r) : r)) : [...list, create()];
  return next.sort(order);
}

/** The report with one more entry, in the server's orders (days ascending; students by tokens, refusals, name; models by name). */
export function addEntry<R extends ReportLike>(report: R, e: EntryLike): R {
  const byDay = upsert(
    report.byDay,
    (d) => d.day === e.day,
    (d) => ({ ...add(d, e), refused: d.refused + e.refused }),
    () => ({ ...add({ ...zero, day: e.day, refused: 0 }, e), refused: e.refused }),
    (a, b) => a.day.localeCompare(b.day),
  );
  const byStudent = upsert(
    report.byStudent,
    (s) => s.userId === e.userId,
    (s) => ({ ...add(s, e), name: e.name, tutorRoomId: e.tutorRoomId ?? s.tutorRoomId, refused: s.refused + e.refused }),
    () => ({ ...add({ ...zero, userId: e.userId, name: e.name, tutorRoomId: e.tutorRoomId, refused: 0 }, e), refused: e.refused }),
    (a, b) => tokens(b) - tokens(a) || b.refused - a.refused || a.name.localeCompare(b.name),
  );
  // A refusal made no call: it has no model's row.
  const byModel =
    e.calls > 0
      ? upsert(
          report.byModel,
          (m) => m.model === e.model,
          (m) => add(m, e),
          () => add({ ...zero, model: e.model }, e),
          (a, b) => a.model.localeCompare(b.model),
        )
      : report.byModel;
  return { ...report, cursor: e.cursor, byDay, byStudent, byModel } as R;
}

/** The report's totals: tokens, replies, refused questions and cost. */
export function totals(report: Pick<ReportLike, 'byDay'> | null | undefined): {
  tokens: number;
  calls: number;
  refused: number;
  cost: number;
} {
  return (report?.byDay ?? []).reduce(
    (t, r) => ({ tokens: t.tokens + tokens(r), calls: t.calls + r.calls, refused: t.refused + r.refused, cost: t.cost + r.costUsd }),
    { tokens: 0, calls: 0, refused: 0, cost: 0 },
  );
}
