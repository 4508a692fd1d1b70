/**
 * The people in a collab document, from its awareness states (clientId → state; the server sets each state's
 * `user` = { name, color, userId } from the person who sent it): one entry per person however many tabs they have
 * open, the viewer first, then by name.
 */
export interface PersonHere {
  /** A stable key: the user id, or the awareness client id before the server named it. */
  key: string;
  userId: string | null;
  name: string;
  color: string;
  me: boolean;
}

interface AwarenessUser {
  name?: unknown;
  color?: unknown;
  userId?: unknown;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

export function peopleHere(states: ReadonlyMap<number, Record<string, unknown>>, myClientId: number, me: string | null): PersonHere[] {
  const byKey = new Map<string, PersonHere>();
  for (const [clientId, state] of states) {
    const user = (state['user'] ?? null) as AwarenessUser | null;
    if (!user) continue;
    const userId = str(user.userId);
    const mine = clientId === myClientId || (!!me && userId === me);
    const key = mine ? 'me' : (userId ?? `client:${clientId}`);
    const person: PersonHere = {
      key,
      userId: userId ?? (mine ? me : null),
      name: str(user.name) ?? 'Someone',
      color: str(user.color) ?? '#57606a',
      me: mine,
    };
    // This tab's own state wins for the viewer (the others are their other tabs).
    if (!byKey.has(key) || clientId === myClientId) byKey.set(key, person);
  }
  return [...byKey.values()].sort((a, b) => (a.me !== b.me ? (a.me ? -1 : 1) : a.name.localeCompare(b.name)));
}
