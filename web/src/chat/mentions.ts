/** Mention autocomplete in the composer: find the "@word" being typed, suggest members, insert the choice. Pure. */

export interface MentionCandidate {
  id: string;
  name: string;
}

/** The "@query" that ends at the caret, or null (an @ inside a word, e.g. an e-mail, is not a mention). */
export function mentionQueryAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const m = /(^|[\s(])@([\p{L}\p{N}_.-]{0,30})$/u.exec(before);
  if (!m) return null;
  return { start: caret - m[2]!.length - 1, query: m[2]! };
}

/** Members whose name has a word starting with the query, best first, at most `limit`. */
export function suggestMentions(all: readonly MentionCandidate[], query: string, me: string | null, limit = 6): MentionCandidate[] {
  const q = query.toLocaleLowerCase();
  const scored = all
    .filter((c) => c.id !== me)
    .map((c) => {
      const name = c.name.toLocaleLowerCase();
      const score = name.startsWith(q) ? 0 : name.split(/\s+/).some((w) => w.startsWith(q)) ? 1 : -1;
      return { c, score };
    })
    .filter((s) => s.score >= 0);
  scored.sort((a, b) => a.score - b.score || a.c.name.localeCompare(b.c.name));
  return scored.slice(0, limit).map((s) => s.c);
}

/** Replaces the "@query" with "@Name " and returns the new text and caret. */
export function insertMention(text: string, at: { start: number; query: string }, name: string): { text: string; caret: number } {
  const end = at.start + 1 + at.query.length;
  const inserted = `@${name} `;
  return { text: text.slice(0, at.start) + inserted + text.slice(end), caret: at.start + inserted.length };
}

/** The chosen mentions still present in the text ("@Name" not deleted meanwhile). */
export function mentionsInText(text: string, chosen: readonly MentionCandidate[]): string[] {
  return [...new Set(chosen.filter((c) => text.includes(`@${c.name}`)).map((c) => c.id))];
}
