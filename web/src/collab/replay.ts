/**
 * Replay of a document, as plain logic (no Vue, no Apollo): the document's `base` state and its stored updates in seq
 * order (the `collabReplay` pages), and the text at any step: position 0 is the base, position i the text after the
 * first i updates. Texts are rebuilt by applying the updates to a Y.Doc; a few checkpoints (the state every
 * CHECKPOINT_EVERY steps) keep a jump backwards on the slider cheap without holding every step's text.
 */
import * as Y from 'yjs';
import { fromBase64 } from 'lib0/buffer';
import type { CollabUpdateKind } from '../gql/graphql';

/** One stored update, as a `collabReplay` page lists it. */
export interface ReplayStepInput {
  cursor: string;
  at: string;
  userId: string;
  userName: string;
  kind: CollabUpdateKind;
  /** The Yjs update, base64. */
  update: string;
}

export interface ReplayStep extends Omit<ReplayStepInput, 'update'> {
  /** Milliseconds since the epoch. */
  time: number;
  update: Uint8Array;
}

const CHECKPOINT_EVERY = 100;

export class ReplayTimeline {
  private readonly base: Uint8Array;
  private readonly list: ReplayStep[] = [];
  /** The state after step `k * CHECKPOINT_EVERY`, at index k (index 0: the base). */
  private readonly checkpoints: Uint8Array[];
  /** A document standing at `position`: moving forwards applies the steps between. */
  private doc: Y.Doc;
  private position = 0;

  constructor(base: string | Uint8Array) {
    this.base = typeof base === 'string' ? fromBase64(base) : base;
    this.checkpoints = [this.base];
    this.doc = docFrom(this.base);
  }

  /** Steps (a page of the replay, in seq order) after those held; a step already held (by cursor) is skipped. */
  append(steps: readonly ReplayStepInput[]): void {
    for (const s of steps) {
      const last = this.list.at(-1);
      if (last && Number(s.cursor) <= Number(last.cursor)) continue;
      this.list.push({ ...s, time: Date.parse(s.at), update: fromBase64(s.update) });
    }
  }

  /** The number of steps; positions go from 0 (the base) to `length` (every step applied). */
  get length(): number {
    return this.list.length;
  }

  get steps(): readonly ReplayStep[] {
    return this.list;
  }

  /** The step that brought position `i` (1…length); null at 0, the base. */
  stepAt(i: number): ReplayStep | null {
    return i >= 1 ? (this.list[i - 1] ?? null) : null;
  }

  /** When position `i` was reached (ms since the epoch); null at 0. */
  timeAt(i: number): number | null {
    return this.stepAt(i)?.time ?? null;
  }

  /** The cursor of the last step held (where the next page starts); null when none. */
  get lastCursor(): string | null {
    return this.list.at(-1)?.cursor ?? null;
  }

  /** The text at position `i` (clamped to 0…length). */
  textAt(i: number): string {
    const target = Math.max(0, Math.min(this.length, Math.floor(i)));
    if (target < this.position) {
      const k = Math.min(Math.floor(target / CHECKPOINT_EVERY), this.checkpoints.length - 1);
      this.doc.destroy();
      this.doc = docFrom(this.checkpoints[k]!);
      this.position = k * CHECKPOINT_EVERY;
    }
    while (this.position < target) {
      Y.applyUpdate(this.doc, this.list[this.position]!.update);
      this.position++;
      if (this.position % CHECKPOINT_EVERY === 0 && this.checkpoints.length === this.position / CHECKPOINT_EVERY) {
        this.checkpoints.push(Y.encodeStateAsUpdate(this.doc));
      }
    }
    return this.doc.getText('code').toString();
  }

  destroy(): void {
    this.doc.destroy();
  }
}

function docFrom(state: Uint8Array): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  return doc;
}

/**
 * How long playback waits before showing the next step: the real gap, eight times faster, at least 40 ms (a typed
 * word goes by readably) and at most 700 ms (a long pause does not stall the replay).
 */
export function playDelay(previous: number | null, next: number | null): number {
  if (previous == null || next == null) return 40;
  return Math.round(Math.min(700, Math.max(40, (next - previous) / 8)));
}

/** Time since the first step, as the slider's label says it: "0:00", "4:05", "1:02:09". */
export function elapsedLabel(start: number | null, at: number | null): string {
  if (start == null || at == null) return '0:00';
  const s = Math.max(0, Math.round((at - start) / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}
