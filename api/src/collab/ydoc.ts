/**
 * Pure Yjs helpers of a collab document (no database, no I/O): a document is a `Y.Doc` whose only content is the root
 * `Y.Text` named `code`. Building the deterministic starting state, reading the text of a state, checking that an
 * update a client sent touches that text only, and computing the forward update that replaces the text (reset,
 * restore a version).
 */
import * as Y from 'yjs';
import { AppError } from '../errors.js';

/** The root type every document holds: its code. */
export const ROOT = 'code';

/**
 * The Yjs client id the server writes a document's starting code with. Fixed, so that the same starting code gives
 * the same bytes everywhere (every copy of an exercise agrees on the items of the starting code). Clients pick random
 * 32-bit ids; this one is not random but is only ever used for an initial state (resets use a fresh id).
 */
const SERVER_CLIENT_ID = 1;

/** A fresh Y.Doc (garbage collection on). */
export function newDoc(): Y.Doc {
  return new Y.Doc({ gc: true });
}

/** The state of a document holding `text`, the same bytes for the same text. */
export function initialState(text: string): Uint8Array {
  const doc = newDoc();
  doc.clientID = SERVER_CLIENT_ID;
  if (text.length > 0) doc.getText(ROOT).insert(0, text);
  const state = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return state;
}

/** A Y.Doc loaded with the given updates (merged in order). */
export function docOf(...updates: Uint8Array[]): Y.Doc {
  const doc = newDoc();
  doc.getText(ROOT);
  for (const u of updates) Y.applyUpdate(doc, u);
  return doc;
}

/** The text a state holds. */
export function textOf(state: Uint8Array): string {
  const doc = docOf(state);
  const text = doc.getText(ROOT).toString();
  doc.destroy();
  return text;
}

/** Merges updates into one (an empty list: the empty update). */
export function merge(updates: Uint8Array[]): Uint8Array {
  if (updates.length === 1) return updates[0]!;
  return Y.mergeUpdates(updates);
}

const malformed = (why: string) => new AppError('MALFORMED_UPDATE', `This is not an update of a code document: ${why}.`);

/**
 * MALFORMED_UPDATE unless `update` is a Yjs update (v1) that only touches the root text `code`: every struct an Item
 * of string, deleted or format content whose parent is `code` (or left to be inferred from its neighbours, which are
 * then items of `code` too), or a GC/Skip struct. A code document holds text only, so anything else (another root, a
 * map entry, an embedded type or value) is refused before it reaches a document.
 */
export function checkUpdate(update: Uint8Array): void {
  let decoded: ReturnType<typeof Y.decodeUpdate>;
  try {
    decoded = Y.decodeUpdate(update);
  } catch {
    throw malformed('it cannot be decoded');
  }
  for (const s of decoded.structs) {
    if (s instanceof Y.GC || s instanceof Y.Skip) continue;
    if (!(s instanceof Y.Item)) throw malformed('unknown struct');
    const c = s.content;
    if (!(c instanceof Y.ContentString || c instanceof Y.ContentDeleted || c instanceof Y.ContentFormat))
      throw malformed('only text can be inserted');
    if (s.parentSub !== null) throw malformed('it writes a map entry');
    // A string parent is a root type's name; an ID parent would be a nested type, which a text document never has.
    const parent: unknown = s.parent;
    if (parent !== null && parent !== ROOT)
      throw malformed(typeof parent === 'string' ? `it edits "${parent.slice(0, 40)}", not "${ROOT}"` : 'it edits a nested type');
    if (parent === null && s.origin === null && s.rightOrigin === null) throw malformed('an item without a parent');
  }
}

/** What applying an update to a document changed. */
export interface Applied {
  /** The update as the document took it: only what was new (structs it lacked, deletions it had not made). */
  diff: Uint8Array | null;
  /** The update (or part of it) depends on state the document does not have. */
  missing: boolean;
}

/**
 * Applies `update` to `doc` and returns exactly what changed (the transaction's own update), null when nothing did
 * (a resend). `missing`: some of it waits for updates the document has not seen (the doc is then left with pending
 * structs: the caller throws it away).
 */
export function applyTo(doc: Y.Doc, update: Uint8Array, origin: unknown = null): Applied {
  let diff: Uint8Array | null = null;
  const capture = (u: Uint8Array, o: unknown) => {
    if (o === origin) diff = diff ? Y.mergeUpdates([diff, u]) : u;
  };
  doc.on('update', capture);
  try {
    Y.applyUpdate(doc, update, origin);
  } finally {
    doc.off('update', capture);
  }
  const missing = doc.store.pendingStructs !== null || doc.store.pendingDs !== null;
  return { diff, missing };
}

/**
 * The forward update that turns the document's text into `target`: one delete and one insert of what differs between
 * the common prefix and suffix, written by a fresh client id on a copy of the document (the document is unchanged).
 * Null when the text is already `target`.
 */
export function replaceTextUpdate(state: Uint8Array, target: string): Uint8Array | null {
  const doc = docOf(state);
  const text = doc.getText(ROOT);
  const current = text.toString();
  if (current === target) {
    doc.destroy();
    return null;
  }
  let start = 0;
  const max = Math.min(current.length, target.length);
  while (start < max && current.charCodeAt(start) === target.charCodeAt(start)) start++;
  let end = 0;
  while (end < max - start && current.charCodeAt(current.length - 1 - end) === target.charCodeAt(target.length - 1 - end)) end++;
  // Never split a surrogate pair.
  if (start > 0 && isHighSurrogate(current.charCodeAt(start - 1))) start--;
  if (end > 0 && isLowSurrogate(current.charCodeAt(current.length - end))) end--;
  let update: Uint8Array | null = null;
  // The transaction's own update: its insert and its deletions only (not the whole document's delete set).
  doc.on('update', (u: Uint8Array) => (update = u));
  doc.transact(() => {
    const del = current.length - start - end;
    if (del > 0) text.delete(start, del);
    const ins = target.slice(start, target.length - end);
    if (ins.length > 0) text.insert(start, ins);
  });
  doc.destroy();
  return update;
}

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** Strict base64 (standard alphabet, padded or not) to bytes; MALFORMED_UPDATE when it is not base64. */
export function fromBase64(value: string): Uint8Array {
  if (value.length % 4 === 1 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw malformed('it is not base64');
  return new Uint8Array(Buffer.from(value, 'base64'));
}

export const toBase64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
