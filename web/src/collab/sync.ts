/**
 * The rules of a collab client as plain functions (provider.ts applies them): what an error code from the server
 * means for the client, which events are new, what connection state to show, and the smallest edit that turns one
 * text into another.
 */

/** A document's link to the server, as its page shows it. */
export type CollabConnection = 'connecting' | 'synced' | 'offline' | 'error';

/**
 * What the client does after a failed send:
 * - 'resync': the server lost track of what the update builds on: send the whole state (it trims what it has);
 * - 'refused': refused for good (too large, malformed): drop it and take back the local change;
 * - 'read-only': the viewer may not edit (now): keep it, stop sending until allowed again;
 * - 'retry': anything else (network, rate limit, server trouble): keep it and try again with backoff.
 */

export type SendFailure = 'resync' | 'refused' | 'read-only' | 'retry';

export function sendFailure(code: string | null): SendFailure {
  switch (code) {
    case 'OUT_OF_SYNC':
      return 'resync';
    case 'DOCUMENT_TOO_LARGE':
    case 'UPDATE_TOO_LARGE':
    case 'MALFORMED_UPDATE':
      return 'refused';
    case 'DOCUMENT_LOCKED':
    case 'FORBIDDEN':
    case 'NOT_JOINED':
      return 'read-only';
    default:
      return 'retry';
  }
}

/**
 * What the client does when its event feed ends with an error: 'reload' the document (the cursor is gone: the log
 * before it was compacted), stop for good ('fatal': no access), or 'retry' (the socket dropped, the server restarted).
 */
export function feedFailure(code: string | null): 'reload' | 'fatal' | 'retry' {
  if (code === 'CURSOR_EXPIRED' || code === 'BAD_CURSOR') return 'reload';
  if (code === 'FORBIDDEN' || code === 'NOT_FOUND' || code === 'UNAUTHENTICATED' || code === 'BAD_USER_INPUT') return 'fatal';
  return 'retry';
}

/** What a user reads when the server refused their change. */
export function refusalMessage(code: string | null): string {
  switch (code) {
    case 'DOCUMENT_TOO_LARGE':
      return 'The document has reached its size limit: your last change was not saved.';
    case 'UPDATE_TOO_LARGE':
      return 'That change is too large to send at once: it was not saved. Paste it in smaller parts.';
    case 'DOCUMENT_LOCKED':
      return 'The document is locked: your change was not saved.';
    default:
      return 'The server refused your last change: it was not saved.';
  }
}

/** The stream position a cursor names (the decimal seq); -1 for none. */
export function seqOf(cursor: string | null | undefined): number {
  if (!cursor) return -1;
  const n = Number(cursor);
  return Number.isSafeInteger(n) ? n : -1;
}

/** An update event the client has not applied yet (a resubscription replays from an older cursor). */
export function isNewer(cursor: string, last: string | null): boolean {
  return seqOf(cursor) > seqOf(last);
}

export interface ConnectionFacts {
  /** Loading or following failed for good (no access, not found). */
  fatal: boolean;
  /** The document was loaded and its feed is open. */
  following: boolean;
  /** The realtime socket is down (or the browser offline). */
  socketDown: boolean;
  /** The last send failed for a reason that is retried (the network, most likely). */
  sendFailing: boolean;
}

/** The connection state shown for a document. */
export function connectionOf(f: ConnectionFacts): CollabConnection {
  if (f.fatal) return 'error';
  if (f.socketDown || f.sendFailing) return 'offline';
  return f.following ? 'synced' : 'connecting';
}

/**
 * The smallest single edit that turns `from` into `to`: keep the common prefix and suffix, replace what lies between
 * (`remove` characters at `index` by `insert`). Null when they are equal.
 */
export function textChange(from: string, to: string): { index: number; remove: number; insert: string } | null {
  if (from === to) return null;
  const max = Math.min(from.length, to.length);
  let start = 0;
  while (start < max && from.charCodeAt(start) === to.charCodeAt(start)) start++;
  let end = 0;
  while (end < max - start && from.charCodeAt(from.length - 1 - end) === to.charCodeAt(to.length - 1 - end)) end++;
  return { index: start, remove: from.length - start - end, insert: to.slice(start, to.length - end) };
}

/** How long to wait before sending the local awareness state again, at most `perSecond` times a second. */
export function throttleWait(lastSentAt: number | null, now: number, perSecond: number): number {
  if (lastSentAt === null) return 0;
  return Math.max(0, lastSentAt + 1000 / perSecond - now);
}
