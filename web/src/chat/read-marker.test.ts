import { describe, expect, it } from 'vitest';
import { BROADCAST_MARK_INTERVAL_MS, RECEIPT_MARK_INTERVAL_MS, createReadMarker, markIntervalFor, type MarkClock } from './read-marker';

/** A clock whose time moves only when told, running the timers that fall due. */
function fakeClock(): MarkClock & { advance(ms: number): void } {
  let t = 1_000_000;
  let next = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => t,
    setTimeout: (fn, ms) => {
      const id = next++;
      timers.set(id, { at: t + ms, fn });
      return id;
    },
    clearTimeout: (h) => void timers.delete(h as number),
    advance(ms) {
      const end = t + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, x]) => x.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        t = due[1].at;
        due[1].fn();
      }
      t = end;
    },
  };
}

/** Lets the answers of settled sends run. */
const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

function setup(known = '0', answer: (seq: string) => Promise<string> = (seq) => Promise.resolve(seq), random = () => 0) {
  const clock = fakeClock();
  const sent: { seq: string; at: number }[] = [];
  const marked: string[] = [];
  const marker = createReadMarker({
    known,
    intervalMs: 4000,
    clock,
    random,
    send: (seq) => {
      sent.push({ seq, at: clock.now() });
      return answer(seq);
    },
    onMarked: (m) => marked.push(m),
  });
  return { clock, sent, marked, marker, seqs: () => sent.map((s) => s.seq) };
}

describe('createReadMarker', () => {
  it('N arrivals within the interval after a mark make one call, with the last seq, at the interval end', async () => {
    const { clock, sent, marked, marker, seqs } = setup();
    marker.mark('10'); // the room opened: at once
    await settle();
    expect(seqs()).toEqual(['10']);
    for (let seq = 11; seq <= 40; seq++) {
      clock.advance(100);
      marker.mark(String(seq));
      await settle();
    }
    expect(seqs()).toEqual(['10']);
    clock.advance(4000 - 3000 - 1);
    await settle();
    expect(seqs()).toEqual(['10']);
    clock.advance(1);
    await settle();
    expect(sent.map((s) => [s.seq, s.at - sent[0]!.at])).toEqual([
      ['10', 0],
      ['40', 4000],
    ]);
    expect(marked).toEqual(['10', '40']);
  });

  it('spreads marks: readers who see the same message mark at different moments, within a quarter of the interval', async () => {
    const readers = [0, 0.25, 0.5, 0.99].map((r) => setup('0', undefined, () => r));
    for (const x of readers) x.marker.mark('7');
    const when = () => readers.map((x) => (x.sent[0] ? x.sent[0].at - 1_000_000 : null));
    await settle();
    expect(when()).toEqual([0, null, null, null]);
    for (const x of readers) x.clock.advance(1000);
    await settle();
    expect(when()).toEqual([0, 250, 500, 990]);
    // The next mark: an interval after the last, plus the spread.
    for (const x of readers) x.marker.mark('8');
    for (const x of readers) x.clock.advance(5000);
    await settle();
    expect(readers.map((x) => x.sent.map((s) => s.at - 1_000_000))).toEqual([
      [0, 4000],
      [250, 4500],
      [500, 5000],
      [990, 5980],
    ]);
  });

  it('a steady stream costs one call per interval, whatever the message rate', async () => {
    const { clock, marker, seqs } = setup();
    let seq = 100;
    for (let ms = 0; ms < 60_000; ms += 20) {
      marker.mark(String(seq++)); // 50 messages a second
      clock.advance(20);
      await settle();
    }
    expect(seqs().length).toBeLessThanOrEqual(60_000 / 4000 + 1);
    expect(Number(seqs().at(-1))).toBeGreaterThan(seq - 50 * 4);
  });

  it("sends nothing the server already holds: the loaded marker, an answered mark, the reader's own message", async () => {
    const { clock, marker, seqs } = setup('50');
    marker.mark('49');
    marker.mark('50');
    await settle();
    expect(seqs()).toEqual([]);
    marker.mark('51');
    await settle();
    marker.mark('51');
    clock.advance(1000);
    await settle();
    expect(seqs()).toEqual(['51']);
    // Within an interval 52 waits; the reader then posts 53 (the server moves the marker itself): nothing to ask.
    marker.mark('52');
    await settle();
    marker.mark('53');
    marker.serverHas('53');
    marker.flush();
    clock.advance(10_000);
    await settle();
    expect(seqs()).toEqual(['51']);
  });

  it('flush sends what waits at once (the tab is hidden); dispose sends and then stops', async () => {
    const { clock, marker, seqs } = setup();
    marker.mark('1');
    marker.mark('2');
    await settle();
    marker.flush();
    await settle();
    expect(seqs()).toEqual(['1', '2']);
    marker.flush(); // nothing waits
    marker.mark('3');
    marker.dispose();
    await settle();
    expect(seqs()).toEqual(['1', '2', '3']);
    marker.mark('4');
    clock.advance(60_000);
    await settle();
    expect(seqs()).toEqual(['1', '2', '3']);
  });

  it('flush(after) sends what waits after that delay, interval or not', async () => {
    const { clock, marker, sent } = setup();
    marker.mark('1');
    await settle();
    marker.mark('2'); // waits for the interval (4 s)
    marker.flush(1000);
    clock.advance(999);
    await settle();
    expect(sent.map((s) => s.seq)).toEqual(['1']);
    clock.advance(1);
    await settle();
    expect(sent.map((s) => [s.seq, s.at - 1_000_000])).toEqual([
      ['1', 0],
      ['2', 1000],
    ]);
  });

  it('one mark in flight at a time; a flush meanwhile goes when it answered; a failed mark goes again with the next', async () => {
    const answers: ((m: string | Error) => void)[] = [];
    const { clock, marker, seqs, marked } = setup(
      '0',
      () => new Promise((resolve, reject) => answers.push((m) => (m instanceof Error ? reject(m) : resolve(m)))),
    );
    marker.mark('5');
    clock.advance(5000);
    marker.mark('6');
    marker.flush();
    await settle();
    expect(seqs()).toEqual(['5']);
    answers.shift()!('5');
    await settle();
    expect(seqs()).toEqual(['5', '6']);
    answers.shift()!(new Error('offline'));
    await settle();
    expect(marked).toEqual(['5']);
    clock.advance(60_000);
    await settle();
    expect(seqs()).toEqual(['5', '6']); // nothing on its own…
    marker.mark('6'); // …the next sight of it carries it again
    await settle();
    expect(seqs()).toEqual(['5', '6', '6']);
  });

  it('marks every few seconds where others see receipts, less often in course and live rooms', () => {
    for (const kind of ['DIRECT', 'GROUP', 'TUTOR'] as const) expect(markIntervalFor(kind)).toBe(RECEIPT_MARK_INTERVAL_MS);
    for (const kind of ['COURSE', 'LIVE'] as const) expect(markIntervalFor(kind)).toBe(BROADCAST_MARK_INTERVAL_MS);
    expect(RECEIPT_MARK_INTERVAL_MS).toBeLessThanOrEqual(5000);
  });
});
