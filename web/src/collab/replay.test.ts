import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { toBase64 } from 'lib0/buffer';
import { elapsedLabel, playDelay, ReplayTimeline, type ReplayStepInput } from './replay';

/** A document like the server's: a base with the starting code, then updates as one editor typed them. */
function recorded(start: string, edits: ((t: Y.Text) => void)[]) {
  const doc = new Y.Doc();
  doc.getText('code').insert(0, start);
  const base = Y.encodeStateAsUpdate(doc);
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  const texts = [start];
  for (const edit of edits) {
    edit(doc.getText('code'));
    texts.push(doc.getText('code').toString());
  }
  const t0 = Date.parse('2025-03-01T10:00:00Z');
  const steps: ReplayStepInput[] = updates.map((u, i) => ({
    cursor: String(i + 1),
    at: new Date(t0 + i * 1500).toISOString(),
    userId: 'u-1',
    userName: 'Alan Turing',
    kind: 'EDIT',
    update: toBase64(u),
  }));
  return { base: toBase64(base), steps, texts, t0 };
}

describe('replay timeline', () => {
  const typing = Array.from('def f(x):\n    return x * 2\n', (ch) => (t: Y.Text) => t.insert(t.length, ch));
  const edits = [...typing, (t: Y.Text) => t.delete(0, 3), (t: Y.Text) => t.insert(0, 'async def')];

  it('gives the text at every step, from the base to the final text, forwards and backwards', () => {
    const { base, steps, texts } = recorded('# start\n', edits);
    const timeline = new ReplayTimeline(base);
    timeline.append(steps);
    expect(timeline.length).toBe(edits.length);
    expect(timeline.textAt(0)).toBe('# start\n');
    expect(timeline.textAt(timeline.length)).toBe(texts.at(-1));
    // Backwards, then forwards again, in jumps and step by step.
    for (const i of [10, 3, timeline.length - 1, 0, 7, 8, 9]) expect(timeline.textAt(i)).toBe(texts[i]);
    // Out of range: clamped.
    expect(timeline.textAt(-5)).toBe('# start\n');
    expect(timeline.textAt(10_000)).toBe(texts.at(-1));
  });

  it('keeps checkpoints so that a long replay rebuilds any step, across pages', () => {
    const many = Array.from(
      { length: 350 },
      (_, i) => (t: Y.Text) => (i % 7 === 6 ? t.delete(t.length - 2, 1) : t.insert(t.length, String(i % 10))),
    );
    const { base, steps, texts } = recorded('', many);
    const timeline = new ReplayTimeline(base);
    // Pages overlap on one step: it is kept once.
    timeline.append(steps.slice(0, 201));
    timeline.append(steps.slice(200));
    expect(timeline.length).toBe(350);
    expect(timeline.lastCursor).toBe('350');
    expect(timeline.textAt(350)).toBe(texts[350]);
    for (const i of [250, 199, 200, 201, 99, 100, 1, 349, 120]) expect(timeline.textAt(i)).toBe(texts[i]);
  });

  it('says when and by whom each step was made', () => {
    const { base, steps, t0 } = recorded('x', edits.slice(0, 3));
    const timeline = new ReplayTimeline(base);
    timeline.append(steps);
    expect(timeline.timeAt(0)).toBeNull();
    expect(timeline.stepAt(0)).toBeNull();
    expect(timeline.timeAt(1)).toBe(t0);
    expect(timeline.timeAt(3)).toBe(t0 + 3000);
    expect(timeline.stepAt(2)?.userName).toBe('Alan Turing');
    expect(elapsedLabel(timeline.timeAt(1), timeline.timeAt(3))).toBe('0:03');
  });

  it('plays at a readable pace and labels elapsed time', () => {
    expect(playDelay(0, 100)).toBe(40);
    expect(playDelay(0, 4000)).toBe(500);
    expect(playDelay(0, 600_000)).toBe(700);
    expect(playDelay(null, 10)).toBe(40);
    expect(elapsedLabel(0, 245_000)).toBe('4:05');
    expect(elapsedLabel(0, 3_729_000)).toBe('1:02:09');
    expect(elapsedLabel(null, 5)).toBe('0:00');
  });
});
