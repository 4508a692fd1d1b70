/**
 * The server's in-memory copies of the documents being edited (least recently used first out); updates.ts explains
 * how they stay consistent.
 */
import type * as Y from 'yjs';

export interface CachedDoc {
  doc: Y.Doc;
  /** The stream position the copy holds every update up to. */
  seq: number;
  /** The document row's version (`snapshot_seq:log_count`) the copy was last in step with (updates.ts). */
  version?: string;
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

  drop(id: string): void {
    const e = this.docs.get(id);
    if (!e) return;
    this.docs.delete(id);
    e.doc.destroy();
  }
}
