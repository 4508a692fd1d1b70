/** Mention autocomplete in the composer: find the "@word" being typed, suggest members, insert the choice. Pure. */

export interface MentionCandidate {
  id: string;
  name: string;
  /** Told beside the name in the suggestions (their role), to tell apart people of the same name. */
  hint?: string;
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

/** A name written as "@Name" that several members bear (as they are called): it names nobody until one is picked. */
export interface AmbiguousMention {
  name: string;
  count: number;
}

/** A mention does not start inside a word or an e-mail address, and a name does not end inside a word. */
const BEFORE = /[\p{L}\p{N}_@.]/u;
const AFTER = /[\p{L}\p{N}_]/u;
const fold = (s: string) => s.normalize('NFC').replace(/\s+/gu, ' ').trim().toLowerCase();

/**
 * The members named in `text` as "@Full Name" (typed or pasted, not picked), as the server resolves them
 * (api/src/rooms/mentions.ts): case-insensitive, Unicode-aware, names with spaces, the longest name first, code
 * skipped. A name several members bear is ambiguous, unless one of them was picked (`picked`: their ids).
 */
export function namedMentions(
  text: string,
  members: readonly MentionCandidate[],
  me: string | null,
  picked: readonly string[] = [],
): { ids: string[]; ambiguous: AmbiguousMention[] } {
  const byName = new Map<string, string[]>();
  const shown = new Map<string, string>();
  for (const m of members) {
    const key = fold(m.name);
    if (m.id === me || key === '') continue;
    const ids = byName.get(key) ?? [];
    if (!ids.includes(m.id)) ids.push(m.id);
    byName.set(key, ids);
    shown.set(key, m.name);
  }
  const ids = new Set<string>();
  const ambiguous = new Map<string, AmbiguousMention>();
  const names = [...byName.keys()].sort((a, b) => b.length - a.length);
  const src = text
    .replace(/```[\s\S]*?(?:```|$)/g, ' ')
    .replace(/`[^`\n]*`/g, ' ')
    .normalize('NFC')
    .replace(/\s+/gu, ' ');
  for (let at = src.indexOf('@'); at >= 0 && names.length; at = src.indexOf('@', at + 1)) {
    if (at > 0 && BEFORE.test(src[at - 1]!)) continue;
    const start = at + 1;
    const name = names.find((n) => src.slice(start, start + n.length).toLowerCase() === n && !AFTER.test(src[start + n.length] ?? ' '));
    if (!name) continue;
    const bearers = byName.get(name)!;
    const chosen = bearers.filter((id) => picked.includes(id));
    if (bearers.length === 1) ids.add(bearers[0]!);
    else if (chosen.length) chosen.forEach((id) => ids.add(id));
    else ambiguous.set(name, { name: shown.get(name)!, count: bearers.length });
    at = start + name.length - 1;
  }
  return { ids: [...ids], ambiguous: [...ambiguous.values()] };
}

/** What the composer says before sending a name that several members bear. */
export function ambiguityWarning(list: readonly AmbiguousMention[]): string {
  return list.map((a) => `${a.count} people are called ${a.name} — pick one`).join('. ');
}
