/**
 * The collab bench's typing and waiting, shared by the bench process (the grid) and the editors' child processes
 * (bench/collab/editors-child.ts).
 */
import { round1, sleep, wallNow } from '../fanout/common.js';
import type { Editor } from './editor.js';

/** Each editor types `rate` characters a second until `until` (wall time), on a steady schedule from a random phase. */
export async function typeUntil(editors: Editor[], rate: number, until: number): Promise<{ maxLagMs: number }> {
  const interval = 1000 / rate;
  let maxLagMs = 0;
  await Promise.all(
    editors.map(async (e) => {
      let next = wallNow() + Math.random() * interval;
      while (next < until) {
        await sleep(Math.max(0, next - wallNow()));
        maxLagMs = Math.max(maxLagMs, wallNow() - next);
        e.type();
        next += interval;
      }
    }),
  );
  return { maxLagMs: round1(maxLagMs) };
}

/** Waits until `done()` or `ms` passed; says how long it took (null: it never was). */
export async function waitFor(done: () => boolean, ms: number): Promise<number | null> {
  const t0 = wallNow();
  while (!done()) {
    if (wallNow() - t0 > ms) return null;
    await sleep(20);
  }
  return round1(wallNow() - t0);
}

export async function openAll(editors: Editor[]): Promise<void> {
  // A few at a time: a class arriving, not one burst of 60 loads.
  for (let i = 0; i < editors.length; i += 10) await Promise.all(editors.slice(i, i + 10).map((e) => e.open()));
}
