/**
 * The server's in-memory copies of the documents being edited (least recently used first out), and a per-key lock
 * that serialises the writes of one document on this instance (documents.ts explains how they stay consistent).
 */
import type * as Y from 'yjs';

export interface CachedDoc {
  doc: Y.Doc;
  /** The stream position the copy holds every update up to. */
  seq: number;
}

/** Enough for every document edited at once on an instance (a class of 60 copies, several classes). */
const MAX_DOCS = 500;

export class DocCache {
  private readonly docs = new Map<string, CachedDoc>();

  get(id: string): CachedDoc | undefined {
    const e = this.docs.get(id);
    if (e) {
      // Most recently used last.
      this.docs.delete(id);
      this.docs.set(id, e);
    }
    return e;
  }

  set(id: string, doc: Y.Doc, seq: number): CachedDoc {
    this.drop(id);
    const e = { doc, seq };
    this.docs.set(id, e);
    while (this.docs.size > MAX_DOCS) this.drop(this.docs.keys().next().value!);
    return e;
  }

  advance(id: string, seq: number): void {
    const e = this.docs.get(id);
    if (e) e.seq = seq;
  }

  drop(id: string): void {
    const e = this.docs.get(id);
    if (!e) return;
    this.docs.delete(id);
    e.doc.destroy();
  }
}

/** Runs tasks of one key one after the other (other keys run alongside). */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const result = prev.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
