/**
 * The composer's half-typed text, kept per person and room so that it survives a reload, a relaunch from the LMS
 * and an expired session; cleared when the message is sent.
 *
 * Kept in localStorage (a relaunch may open a new tab or window, whose sessionStorage is empty), else in
 * sessionStorage, and always in memory for the life of the page (an LMS frame may block both storages). Drafts
 * older than DRAFT_MAX_AGE_MS are dropped when read. Storage access is guarded: it may throw when blocked or full.
 */
const DRAFT_PREFIX = 'lt.draft.';
export const DRAFT_MAX_AGE_MS = 7 * 24 * 3_600_000;

export interface DraftStore {
  get(key: string): string;
  /** An empty (or blank) text removes the draft. */
  set(key: string, text: string): void;
  clear(key: string): void;
}

/** The key of a person's draft in a room. */
export const draftKey = (userId: string | null, roomId: string): string => `${DRAFT_PREFIX}${userId ?? 'anon'}.${roomId}`;

interface Saved {
  text: string;
  at: number;
}

function parse(raw: string | null): Saved | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Partial<Saved>;
    return typeof v.text === 'string' && typeof v.at === 'number' ? { text: v.text, at: v.at } : null;
  } catch {
    return null;
  }
}

/** `storages`: the storages to use, most durable first; each may be null or throw. */
export function createDraftStore(storages: (() => Storage | null)[], now: () => number = Date.now): DraftStore {
  const memory = new Map<string, Saved>();
  const each = (fn: (s: Storage) => void) => {
    for (const get of storages) {
      try {
        const s = get();
        if (s) fn(s);
      } catch {
        // Blocked or full: memory serves.
      }
    }
  };
  const fresh = (d: Saved | null | undefined) => (d && now() - d.at <= DRAFT_MAX_AGE_MS ? d : null);

  return {
    get(key) {
      const inMemory = fresh(memory.get(key));
      if (inMemory) return inMemory.text;
      let found: Saved | null = null;
      each((s) => {
        const d = fresh(parse(s.getItem(key)));
        if (d && (!found || d.at > found.at)) found = d;
      });
      return (found as Saved | null)?.text ?? '';
    },
    set(key, text) {
      if (!text.trim()) return this.clear(key);
      const d: Saved = { text, at: now() };
      memory.set(key, d);
      const raw = JSON.stringify(d);
      let saved = false;
      each((s) => {
        if (saved) return;
        s.setItem(key, raw);
        saved = true;
      });
    },
    clear(key) {
      memory.delete(key);
      each((s) => s.removeItem(key));
    },
  };
}

/** The page's drafts: localStorage, then sessionStorage, then memory. */
export const drafts: DraftStore = createDraftStore([() => globalThis.localStorage ?? null, () => globalThis.sessionStorage ?? null]);
