/**
 * Mentions written as text: "@Alan Turing" typed or pasted in full names the member of the room called so, as
 * a pick from the composer's suggestions does. Pure: the service hands in the room's people.
 *
 * Names match case-insensitively (Unicode case folding, NFC), may hold spaces, and the longest name that fits
 * wins ("@Ana Lopez" is Ana Lopez, not Ana). A name two people bear is ambiguous: it names nobody, and is
 * reported, unless one of them was picked by id.
 */

export interface NamedPerson {
  id: string;
  name: string;
}

export interface ResolvedMentions {
  /** The people named, in the order they are written. */
  ids: string[];
  /** Names (as written) that more than one person of the room bears and nothing disambiguated. */
  ambiguous: string[];
}

/** A mention does not start inside a word or an e-mail address ... */
const BEFORE = /[\p{L}\p{N}_@.]/u;
/** ... and a name does not end inside a word ("@Ana" is not a mention of Ana in "@Anabel"). */
const AFTER = /[\p{L}\p{N}_]/u;
/** At most this many "@" are looked at in one message: a wall of them costs no more than this. */
const MAX_ATS = 200;

const fold = (s: string) => s.normalize('NFC').replace(/\s+/gu, ' ').trim().toLowerCase();

/** Code is not prose: "@decorator" inside `inline code` or a fenced block names nobody. */
function withoutCode(text: string): string {
  return text.replace(/```[\s\S]*?(?:```|$)/g, ' ').replace(/`[^`\n]*`/g, ' ');
}

/**
 * The people of `people` named in `text` as "@Name". `picked`: ids already chosen explicitly (from the
 * suggestions, or kept from before an edit); a name that one of them bears is theirs, not ambiguous.
 */
export function resolveMentionNames(
  text: string,
  people: readonly NamedPerson[],
  picked: ReadonlySet<string> = new Set(),
): ResolvedMentions {
  const byName = new Map<string, string[]>();
  for (const p of people) {
    const key = fold(p.name);
    if (key === '') continue;
    const ids = byName.get(key) ?? [];
    if (!ids.includes(p.id)) ids.push(p.id);
    byName.set(key, ids);
  }
  const ids: string[] = [];
  const ambiguous: string[] = [];
  if (byName.size === 0) return { ids, ambiguous };
  // Longest first, so that a name that is the start of another never wins over it.
  const names = [...byName.keys()].sort((a, b) => b.length - a.length);
  const src = withoutCode(text).normalize('NFC').replace(/\s+/gu, ' ');
  const folded = src.toLowerCase();
  // Folding can change a string's length (rarely): then positions in `folded` and `src` differ, and each
  // candidate is compared on the source slice folded alone.
  const sameLength = folded.length === src.length;
  let ats = 0;
  for (let at = src.indexOf('@'); at >= 0 && ats < MAX_ATS; at = src.indexOf('@', at + 1), ats++) {
    if (at > 0 && BEFORE.test(src[at - 1]!)) continue;
    const start = at + 1;
    for (const name of names) {
      const slice = sameLength ? folded.slice(start, start + name.length) : src.slice(start, start + name.length).toLowerCase();
      if (slice !== name) continue;
      const next = src[start + name.length];
      if (next !== undefined && AFTER.test(next)) continue;
      const bearers = byName.get(name)!;
      if (bearers.length === 1) ids.push(bearers[0]!);
      else if (bearers.some((id) => picked.has(id))) ids.push(...bearers.filter((id) => picked.has(id)));
      else ambiguous.push(src.slice(start, start + name.length));
      at = start + name.length - 1;
      break;
    }
  }
  return { ids: [...new Set(ids)], ambiguous: [...new Set(ambiguous)] };
}

/** Whether `text` still writes "@Name" for this person (a mention kept across an edit). */
export function mentionsName(text: string, name: string): boolean {
  return resolveMentionNames(text, [{ id: 'x', name }]).ids.length > 0;
}
