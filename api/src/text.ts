/**
 * The one place that cleans text before it is stored: what people type into the API (message bodies, room
 * names and topics, the tutor brief, API key names, deep-link titles) and what a platform sends (display names
 * and course titles from launches and roster syncs).
 *
 * The rules, the same for every field of a kind (`Source`):
 * - A lone surrogate (half of a UTF-16 pair) cannot be encoded as UTF-8, so PostgreSQL cannot hold it: from a
 *   caller of the API it is refused (BAD_USER_INPUT with the field), since no one typed it; from a platform it
 *   becomes U+FFFD, since a launch or a roster sync must not fail over one name.
 * - NUL, which PostgreSQL refuses in text: refused in what callers send ('caller': the tutor brief, API key
 *   names, deep-link titles, platform names), removed from chat text ('chat': bodies, room names and topics
 *   have always lost their control characters) and from what platforms send ('platform').
 * - The other control characters (but tab and newline in multi-line text) are removed, and so are bidi
 *   embeddings, overrides and isolates, which can make a name or a line read backwards ("Eve \u202eEXE.txt"),
 *   and the private-use markers search uses.
 * - Names and other single lines also lose zero-width characters and bidi marks, so two names that look alike
 *   are alike.
 * - A run of combining marks on one character is cut to MAX_MARKS: "Z" with thousands of marks would otherwise
 *   draw a tall stripe over the lines around it.
 * - Identifiers (an issuer, a client or deployment id) are not text: removing a character would name something
 *   else, so one holding a control character or a lone surrogate is refused (BAD_USER_INPUT with the field).
 */
import { AppError } from './errors.js';

/** Combining marks kept per character: enough for any script's stacked accents, not for "zalgo" text. */
export const MAX_MARKS = 4;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Control characters but tab and newline, bidi embeddings, overrides and isolates, search's private-use markers. */
// eslint-disable-next-line no-control-regex -- control characters are what it removes
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uE000\uE001]/g;
/**
 * Removed from names only: zero-width characters (space, joiners, word joiner, invisible operators, BOM,
 * Mongolian vowel separator) and the bidi marks (LRM, RLM, ALM), which right-to-left messages may need.
 */
const ZERO_WIDTH = /[\u061C\u180E\u200B-\u200F\u2060-\u2064\uFEFF]/g;
const MARK_RUN = new RegExp(`(\\p{M}{${MAX_MARKS}})\\p{M}+`, 'gu');

/** Who sent the text: chat text typed by a person, another field of an API caller, or a platform (LTI claims, rosters). */
export type Source = 'chat' | 'caller' | 'platform';

export const hasLoneSurrogate = (s: string) => s.search(LONE_SURROGATE) !== -1;

/** Refuses (API callers) or replaces (platforms) lone surrogates; refuses NUL from API callers but in chat text. */
function wellFormed(raw: string, field: string, source: Source): string {
  if (source === 'caller' && raw.includes('\u0000')) throw new AppError('BAD_USER_INPUT', `${field} holds a NUL character.`, { field });
  if (!hasLoneSurrogate(raw)) return raw;
  if (source === 'platform') return raw.replace(LONE_SURROGATE, '\uFFFD');
  throw new AppError('BAD_USER_INPUT', `${field} holds an invalid character (half of a UTF-16 surrogate pair).`, { field });
}

/** Multi-line text (message bodies, the tutor brief): line breaks normalised to \n, tabs kept. */
export function cleanMultiline(raw: string, field: string, source: Source): string {
  return wellFormed(raw, field, source).replace(/\r\n?/g, '\n').replace(INVISIBLE, '').replace(MARK_RUN, '$1');
}

/** One line (names, titles, topics): every run of white space becomes one space, trimmed. */
export function cleanLine(raw: string, field: string, source: Source): string {
  return wellFormed(raw, field, source).replace(INVISIBLE, '').replace(ZERO_WIDTH, '').replace(MARK_RUN, '$1').replace(/\s+/g, ' ').trim();
}

/** The first `max` UTF-16 units of a string, never ending inside a surrogate pair. */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  return /[\uD800-\uDBFF]/.test(s.charAt(max - 1)) ? s.slice(0, max - 1) : s.slice(0, max);
}

/** An identifier a caller sent, as it is, or BAD_USER_INPUT when it holds a control character or a lone surrogate. */
export function checkIdentifier(raw: string, field: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what it refuses
  if (/[\u0000-\u001F\u007F]/.test(raw) || hasLoneSurrogate(raw))
    throw new AppError('BAD_USER_INPUT', `${field} holds a control character or an invalid one.`, { field });
  return raw;
}
