/**
 * Awareness updates (y-protocols encoding: varUint count, then per client varUint clientID, varUint clock, varString
 * JSON state or "null"). The server takes one client's update, sets who it is from the person (a client cannot pose
 * as someone else, nor pick another's colour), and encodes it again.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { createHash } from 'node:crypto';
import { AppError } from '../errors.js';

/** Ten hues no one confuses (no two shades of one colour), readable on a light background. */
const PALETTE = [
  '#e6194b', // red
  '#3cb44b', // green
  '#4363d8', // blue
  '#f58231', // orange
  '#911eb4', // purple
  '#00838f', // teal
  '#f032e6', // magenta
  '#808000', // olive
  '#9a6324', // brown
  '#000075', // navy
];

/** The colour of a person, the same everywhere (a hash of their id). */
export function colorOf(userId: string): string {
  const h = createHash('sha1').update(userId).digest();
  return PALETTE[h.readUInt32BE(0) % PALETTE.length]!;
}

export interface AwarenessEntry {
  clientId: number;
  clock: number;
  /** The client's state, null when it leaves. */
  state: Record<string, unknown> | null;
}

const malformed = () => new AppError('MALFORMED_UPDATE', 'This is not an awareness update of one client.');

/** The one client's entry of an awareness update; MALFORMED_UPDATE for anything else. */
export function decodeAwareness(update: Uint8Array): AwarenessEntry {
  let entry: AwarenessEntry;
  try {
    const d = decoding.createDecoder(update);
    if (decoding.readVarUint(d) !== 1) throw malformed();
    const clientId = decoding.readVarUint(d);
    const clock = decoding.readVarUint(d);
    const state: unknown = JSON.parse(decoding.readVarString(d));
    if (decoding.hasContent(d)) throw malformed();
    if (state !== null && (typeof state !== 'object' || Array.isArray(state))) throw malformed();
    entry = { clientId, clock, state: state as Record<string, unknown> | null };
  } catch {
    throw malformed();
  }
  if (!Number.isSafeInteger(entry.clientId) || entry.clientId > 0xffffffff) throw malformed();
  return entry;
}

/** The entry with `user` set by the server (a leaving client's null state stays null), encoded again. */
export function stampAwareness(entry: AwarenessEntry, user: { userId: string; name: string; color: string }): Uint8Array {
  const state =
    entry.state === null
      ? null
      : { ...entry.state, user: { name: user.name, color: user.color, colorLight: `${user.color}33`, userId: user.userId } };
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 1);
  encoding.writeVarUint(e, entry.clientId);
  encoding.writeVarUint(e, entry.clock);
  encoding.writeVarString(e, JSON.stringify(state));
  return encoding.toUint8Array(e);
}
