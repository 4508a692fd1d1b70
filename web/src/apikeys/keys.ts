/**
 * What the API key console computes without the server: a key's state, the expiry a choice means, and how a date and
 * a key's reach read in the list.
 */
import type { ApiKeyItem } from '../graphql/apikeys';

export type KeyState = 'active' | 'expired' | 'revoked';

/** Revoked wins over expired: a revoked key stays revoked whatever its expiry. */
export function keyState(key: Pick<ApiKeyItem, 'revokedAt' | 'expiresAt'>, now: number = Date.now()): KeyState {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && Date.parse(key.expiresAt) <= now) return 'expired';
  return 'active';
}

/** The expiry choices of the form: never, a number of days from now, or a date picked by hand. */
export type ExpiryChoice = 'never' | '30' | '90' | '365' | 'date';

export const EXPIRY_CHOICES: readonly { value: ExpiryChoice; label: string }[] = [
  { value: 'never', label: 'Never' },
  { value: '30', label: 'In 30 days' },
  { value: '90', label: 'In 90 days' },
  { value: '365', label: 'In 1 year' },
  { value: 'date', label: 'On a date…' },
];

const DAY_MS = 86_400_000;

/**
 * The `expiresAt` a choice means (ISO 8601), null for never. A picked date (`YYYY-MM-DD`, the browser's date input)
 * means the end of that day where the person is; an empty or unreadable date is `undefined` (nothing to send yet).
 */
export function expiryFor(choice: ExpiryChoice, date: string, now: number = Date.now()): string | null | undefined {
  if (choice === 'never') return null;
  if (choice !== 'date') return new Date(now + Number(choice) * DAY_MS).toISOString();
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return undefined;
  const end = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 23, 59, 59);
  return Number.isNaN(end.getTime()) ? undefined : end.toISOString();
}

/** A date as the list shows it: day, month and year in the person's language. */
export function shortDate(iso: string): string {
  return new Date(iso).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

/** A date with its time to the minute: "last used" is written at most once a minute per key, so no finer. */
export function dateTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** What a key reaches, in words: every course, or its courses by title where the viewer knows them. */
export function reachLabel(key: Pick<ApiKeyItem, 'tenantWide' | 'courseIds'>, titles: ReadonlyMap<string, string>): string {
  if (key.tenantWide) return 'Every course (platform-wide)';
  const known = key.courseIds.map((id) => titles.get(id)).filter((t): t is string => !!t);
  const unknown = key.courseIds.length - known.length;
  if (unknown === 0) return known.join(', ') || 'No course';
  const others = `${unknown} ${unknown === 1 ? 'course' : 'courses'}`;
  return known.length ? `${known.join(', ')} and ${unknown} other ${unknown === 1 ? 'course' : 'courses'}` : others;
}
