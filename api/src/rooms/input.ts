/** Checks and cleans what people type into chat. Every refusal has a stable code. */
import { AppError } from '../errors.js';
import { isUuid } from '../auth/access.js';
import { cleanLine, cleanMultiline } from '../text.js';

const CLIENT_ID = /^[A-Za-z0-9_-]{8,64}$/;
const LANGUAGE = /^[a-z0-9+#-]{1,32}$/;
/**
 * One emoji: a pictograph with optional variation selector, skin tone, and ZWJ sequences; or a keycap or flag,
 * a subdivision's flag included (a black flag and tag characters: England, Scotland, Wales).
 */
const EMOJI =
  /^(?:\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier})?(?:\u200D\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier})?)*|[0-9#*]\uFE0F?\u20E3|\p{Regional_Indicator}{2}|\u{1F3F4}[\u{E0061}-\u{E007A}]{2,6}\u{E007F})$/u;

export const MAX_MENTIONS = 50;
export const MAX_REACTIONS_PER_MESSAGE = 20;

export function cleanBody(raw: string, maxChars: number): string {
  const body = cleanMultiline(raw, 'body', 'chat');
  if (body.trim() === '') throw new AppError('BAD_USER_INPUT', 'A message cannot be empty.', { field: 'body' });
  const chars = [...body].length;
  if (chars > maxChars) {
    throw new AppError('MESSAGE_TOO_LONG', `A message can have at most ${maxChars} characters; this one has ${chars}.`, {
      field: 'body',
      max: maxChars,
      length: chars,
    });
  }
  return body;
}

export function cleanClientId(id: string): string {
  if (!CLIENT_ID.test(id))
    throw new AppError('BAD_USER_INPUT', 'clientId must be 8 to 64 letters, digits, "-" or "_" (a UUID is right).', { field: 'clientId' });
  return id;
}

export function cleanLanguage(lang: string | null | undefined): string | null {
  if (lang === null || lang === undefined || lang === '') return null;
  const l = lang.trim().toLowerCase();
  if (!LANGUAGE.test(l))
    throw new AppError('BAD_USER_INPUT', 'The code language must be a short name such as "python" or "typescript".', { field: 'language' });
  return l;
}

/** One emoji, one way: a variation selector after a character drawn as emoji anyway is dropped ("👍️" is "👍"). */
export function cleanEmoji(raw: string): string {
  const e = raw.replace(/(\p{Emoji_Presentation})\uFE0F/gu, '$1');
  if (e.length > 32 || !EMOJI.test(e)) throw new AppError('BAD_USER_INPUT', 'A reaction is one emoji.', { field: 'emoji' });
  return e;
}

export function cleanIds(ids: readonly string[] | null | undefined, field: string, max: number): string[] {
  const list = [...new Set((ids ?? []).map(String))];
  if (list.length > max) throw new AppError('BAD_USER_INPUT', `At most ${max} ${field}.`, { field });
  for (const id of list) if (!isUuid(id)) throw new AppError('BAD_USER_INPUT', `${field} holds an id that is not valid.`, { field });
  return list;
}

export function cleanRoomName(name: string): string {
  const n = cleanLine(name, 'name', 'chat');
  if (n.length < 1 || n.length > 80) throw new AppError('BAD_USER_INPUT', 'A room name has 1 to 80 characters.', { field: 'name' });
  return n;
}

export function cleanTopic(topic: string | null | undefined): string | null {
  if (topic === null || topic === undefined) return null;
  const t = cleanLine(topic, 'topic', 'chat');
  if (t.length > 250) throw new AppError('BAD_USER_INPUT', 'A room topic has at most 250 characters.', { field: 'topic' });
  return t === '' ? null : t;
}

/** Search text to a prefix tsquery ('simple' configuration): words only, at most 8, each as a prefix. */
export function searchQuery(q: string): string {
  const words = (
    q
      .normalize('NFKC')
      .toLowerCase()
      .match(/[\p{L}\p{N}_]+/gu) ?? []
  )
    .slice(0, 8)
    .map((w) => w.slice(0, 64));
  if (words.length === 0) throw new AppError('BAD_USER_INPUT', 'Search for at least one word.', { field: 'query' });
  return words.map((w) => `${w}:*`).join(' & ');
}
