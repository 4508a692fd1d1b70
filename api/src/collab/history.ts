/**
 * A `collab_history` segment: the updates compaction took out of a document's stream, kept for replay, in one binary
 * blob (lib0 encoding: a count, then per update its seq, time in ms, author, kind and bytes). Cheaper than one row per
 * update, and read back in order.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { CollabUpdateKind } from './events.js';

export interface HistoryStep {
  seq: number;
  /** Epoch milliseconds of the update's commit. */
  at: number;
  userId: string;
  kind: CollabUpdateKind;
  update: Uint8Array;
}

const VERSION = 1;
const KINDS: readonly CollabUpdateKind[] = ['edit', 'reset', 'restore'];

export function encodeHistory(steps: readonly HistoryStep[]): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, VERSION);
  encoding.writeVarUint(e, steps.length);
  for (const s of steps) {
    encoding.writeVarUint(e, s.seq);
    encoding.writeVarUint(e, s.at);
    encoding.writeVarString(e, s.userId);
    encoding.writeVarUint(e, KINDS.indexOf(s.kind));
    encoding.writeVarUint8Array(e, s.update);
  }
  return encoding.toUint8Array(e);
}

export function decodeHistory(data: Uint8Array): HistoryStep[] {
  const d = decoding.createDecoder(data);
  const version = decoding.readVarUint(d);
  if (version !== VERSION) throw new Error(`collab history: unknown segment version ${version}`);
  const n = decoding.readVarUint(d);
  const out: HistoryStep[] = [];
  for (let i = 0; i < n; i++) {
    const seq = decoding.readVarUint(d);
    const at = decoding.readVarUint(d);
    const userId = decoding.readVarString(d);
    const kind = KINDS[decoding.readVarUint(d)] ?? 'edit';
    const update = decoding.readVarUint8Array(d);
    out.push({ seq, at, userId, kind, update });
  }
  return out;
}
