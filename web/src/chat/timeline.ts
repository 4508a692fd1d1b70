// The message list of one room as a pure reducer. Every update returns a new state (and leaves the
// old one untouched), so a Vue shallowRef holding it re-renders on assignment; an update that
// changes nothing returns the same state object.
import type { MessageKind } from '../gql/graphql';
import type { ChatMessage, RoomEvent } from './types';

export type PendingStatus = 'sending' | 'queued' | 'failed';

/** An optimistic message: sent (or to be sent) but not yet seen coming back from the server. */
export interface PendingMessage {
  clientId: string;
  kind: MessageKind;
  body: string;
  language: string | null;
  replyToId: string | null;
  createdAt: string;
  status: PendingStatus;
  error: string | null;
  /** Held back by the rate limit until then (epoch ms): see the outbox. */
  retryAt?: number | null;
}

export interface TimelineState {
  /** Confirmed messages, ascending by seq, unique by id and by seq. */
  readonly messages: readonly ChatMessage[];
  /** Optimistic messages in send order, shown after the confirmed ones. */
  readonly pending: readonly PendingMessage[];
  readonly hasMoreOlder: boolean;
  readonly hasMoreNewer: boolean;
}

export function emptyTimeline(): TimelineState {
  // Until the first page says otherwise, there may be history to load.
  return { messages: [], pending: [], hasMoreOlder: true, hasMoreNewer: false };
}

/** Seqs are decimal integer strings; they fit in a Number. */
export function compareSeq(a: string, b: string): number {
  return Number(a) - Number(b);
}

/**
 * Which of two copies of the same message to keep when a history page and live events disagree.
 * A page may be older than an event already applied (the edit arrived while the page was in
 * flight) or newer (changes missed while offline): a deletion or a later edit wins, otherwise
 * the copy already held stays.
 */
function fresher(held: ChatMessage, incoming: ChatMessage): ChatMessage {
  if (held.deleted !== incoming.deleted) return held.deleted ? held : incoming;
  const heldEdit = held.editedAt ? Date.parse(held.editedAt) : 0;
  const incomingEdit = incoming.editedAt ? Date.parse(incoming.editedAt) : 0;
  return incomingEdit > heldEdit ? incoming : held;
}

/** Drops the pending entries that the given confirmed messages acknowledge. */
function reconcilePending(pending: readonly PendingMessage[], confirmed: readonly ChatMessage[]): readonly PendingMessage[] {
  const acked = new Set(confirmed.map((m) => m.clientId).filter((id): id is string => id !== null));
  if (acked.size === 0 || !pending.some((p) => acked.has(p.clientId))) return pending;
  return pending.filter((p) => !acked.has(p.clientId));
}

/** Merges a history page (older or newer than what is held), deduplicating by id. */
export function addPage(
  state: TimelineState,
  page: readonly ChatMessage[],
  { older, hasMore }: { older: boolean; hasMore: boolean },
): TimelineState {
  const byId = new Map(state.messages.map((m) => [m.id, m]));
  const seqs = new Set(state.messages.map((m) => m.seq));
  for (const m of page) {
    const held = byId.get(m.id);
    if (held) byId.set(m.id, fresher(held, m));
    else if (!seqs.has(m.seq)) {
      byId.set(m.id, m);
      seqs.add(m.seq);
    }
  }
  const messages = [...byId.values()].sort((a, b) => compareSeq(a.seq, b.seq));
  return {
    ...state,
    messages,
    pending: reconcilePending(state.pending, page),
    ...(older ? { hasMoreOlder: hasMore } : { hasMoreNewer: hasMore }),
  };
}

function insertMessage(state: TimelineState, message: ChatMessage): TimelineState {
  if (state.messages.some((m) => m.id === message.id || m.seq === message.seq)) return state;
  const messages = [...state.messages];
  // Events almost always arrive in order: search from the end.
  let at = messages.length;
  while (at > 0 && compareSeq(messages[at - 1]!.seq, message.seq) > 0) at--;
  messages.splice(at, 0, message);
  return { ...state, messages, pending: reconcilePending(state.pending, [message]) };
}

/** The reply preview of a message's text, as the server makes it (excerptOf in api/src/rooms/views.ts). */
function replyExcerpt(body: string): string {
  const line = body.replace(/\s+/g, ' ').trim();
  if (line.length <= 140) return line;
  // Never cut a surrogate pair in half.
  const cut = /[\uD800-\uDBFF]/.test(line[138]!) ? 138 : 139;
  return line.slice(0, cut) + '…';
}

/** A reply whose preview follows what happened to the original (edited, deleted); the same object if nothing did. */
function requote(reply: ChatMessage, original: ChatMessage): ChatMessage {
  const quote = reply.replyTo!;
  const excerpt = original.deleted ? '' : replyExcerpt(original.body);
  if (quote.excerpt === excerpt && quote.deleted === original.deleted) return reply;
  return { ...reply, replyTo: { ...quote, excerpt, deleted: original.deleted } };
}

/**
 * Replaces a message by id; the replies quoting it (loaded or not, the original) get their preview updated, so
 * a quote follows an edit or a deletion live (the events carry the changed message only).
 */
function replaceMessage(state: TimelineState, message: ChatMessage): TimelineState {
  let changed = false;
  const messages = state.messages.map((m) => {
    const next = m.id === message.id ? message : m.replyTo?.id === message.id ? requote(m, message) : m;
    changed ||= next !== m;
    return next;
  });
  return changed ? { ...state, messages } : state;
}

/** Applies a live room event; events that do not concern the message list return the state as is. */
export function applyEvent(state: TimelineState, ev: RoomEvent): TimelineState {
  if (!ev.message) return state;
  switch (ev.type) {
    case 'MESSAGE_ADDED':
      return insertMessage(state, ev.message);
    case 'MESSAGE_EDITED':
    case 'MESSAGE_DELETED':
    case 'REACTIONS_CHANGED':
      return replaceMessage(state, ev.message);
    default:
      return state;
  }
}

/** Adds an optimistic message, or replaces the one with the same clientId. */
export function addPending(state: TimelineState, item: PendingMessage): TimelineState {
  // Already acknowledged (the event can beat the caller): nothing to show twice.
  if (state.messages.some((m) => m.clientId === item.clientId)) return state;
  const index = state.pending.findIndex((p) => p.clientId === item.clientId);
  const pending = [...state.pending];
  if (index < 0) pending.push(item);
  else pending[index] = item;
  return { ...state, pending };
}

export function markPending(state: TimelineState, clientId: string, status: PendingStatus, error?: string): TimelineState {
  const index = state.pending.findIndex((p) => p.clientId === clientId);
  if (index < 0) return state;
  const pending = [...state.pending];
  pending[index] = { ...pending[index]!, status, error: error ?? null };
  return { ...state, pending };
}

export function removePending(state: TimelineState, clientId: string): TimelineState {
  if (!state.pending.some((p) => p.clientId === clientId)) return state;
  return { ...state, pending: state.pending.filter((p) => p.clientId !== clientId) };
}

/** The highest confirmed seq (to resume the subscription `after` it), or null when there is none. */
export function lastSeq(state: TimelineState): string | null {
  return state.messages.at(-1)?.seq ?? null;
}

/**
 * Index in `state.messages` of the first message after the read marker that someone else wrote
 * (where the "new messages" line goes), or -1. A null `lastReadSeq` means nothing was read yet.
 */
export function unreadMarkerIndex(state: TimelineState, lastReadSeq: string | null, myUserId: string): number {
  return state.messages.findIndex((m) => (lastReadSeq === null || compareSeq(m.seq, lastReadSeq) > 0) && m.author?.id !== myUserId);
}

// ---- Display grouping ------------------------------------------------------------------------

export type DisplayRow =
  { type: 'day'; key: string; label: string } | { type: 'message'; key: string; message: ChatMessage; compact: boolean };

const COMPACT_WINDOW_MS = 5 * 60 * 1000;

function localDayKey(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function dayLabel(day: Date, now: Date, locale: string | undefined): string {
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (localDayKey(day) === localDayKey(today)) return 'Today';
  if (localDayKey(day) === localDayKey(yesterday)) return 'Yesterday';
  const sameYear = day.getFullYear() === now.getFullYear();
  return day.toLocaleDateString(locale, { weekday: 'long', day: 'numeric', month: 'long', ...(sameYear ? {} : { year: 'numeric' }) });
}

/**
 * Rows for the message list: a separator before each new (local) day, and `compact` on a message
 * whose author also wrote the previous one less than 5 minutes earlier (shown without the header).
 */
export function groupForDisplay(
  messages: readonly ChatMessage[],
  { now = new Date(), locale }: { now?: Date; locale?: string } = {},
): DisplayRow[] {
  const rows: DisplayRow[] = [];
  let prev: ChatMessage | null = null;
  let prevDay = '';
  for (const message of messages) {
    const at = new Date(message.createdAt);
    const day = localDayKey(at);
    if (day !== prevDay) {
      rows.push({ type: 'day', key: `day-${day}`, label: dayLabel(at, now, locale) });
      prevDay = day;
      prev = null; // a new day starts a new group
    }
    const compact =
      prev !== null &&
      message.kind !== 'SYSTEM' &&
      prev.kind !== 'SYSTEM' &&
      message.author !== null &&
      prev.author?.id === message.author.id &&
      at.getTime() - Date.parse(prev.createdAt) < COMPACT_WINDOW_MS;
    rows.push({ type: 'message', key: message.id, message, compact });
    prev = message;
  }
  return rows;
}
