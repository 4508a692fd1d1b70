/** How the audit panel shows an entry: what changed (each key from its old value to its new one), in words. */

export interface Change {
  key: string;
  from: string;
  to: string;
}

/** A value as the panel shows it: text as it is, a list of words joined, anything else as JSON; none is empty. */
const show = (v: unknown): string =>
  v === undefined || v === null
    ? ''
    : typeof v === 'string'
      ? v
      : Array.isArray(v) && v.every((x) => typeof x === 'string')
        ? v.join(', ') || '(none)'
        : JSON.stringify(v);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The keys whose values differ between before and after (all of after's for a creation, before's for a removal). */
export function changesOf(before: unknown, after: unknown): Change[] {
  if (!isRecord(before) && !isRecord(after))
    return show(before) === show(after) ? [] : [{ key: 'value', from: show(before), to: show(after) }];
  const b = isRecord(before) ? before : {};
  const a = isRecord(after) ? after : {};
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return keys.filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k])).map((k) => ({ key: k, from: show(b[k]), to: show(a[k]) }));
}

/** What the entity filter offers (what features record today). */
export const AUDIT_ENTITIES: readonly { value: string; label: string }[] = [
  { value: '', label: 'Everything' },
  { value: 'membership', label: 'Memberships' },
  { value: 'session', label: 'Sessions' },
  { value: 'series', label: 'Series' },
  { value: 'office_hours', label: 'Office hours' },
  { value: 'booking', label: 'Bookings' },
  { value: 'schedule_settings', label: 'Schedule settings' },
  { value: 'calendar_feed', label: 'Calendar feed' },
  { value: 'room', label: 'Rooms' },
  { value: 'room_member', label: 'Muting' },
  { value: 'message', label: 'Deleted messages' },
  { value: 'tutor_settings', label: 'Tutor and budgets' },
];

/** "membership joined" → "Membership joined" (the entity and action as stored, readable). */
export const actionLabel = (entity: string, action: string): string => {
  const s = `${entity.replace(/_/g, ' ')} ${action.replace(/_/g, ' ')}`;
  return s.charAt(0).toUpperCase() + s.slice(1);
};
