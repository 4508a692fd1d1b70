// "Ana is typing…": who is typing in a room (from TYPING events), and when to tell the server that I am.
import type { RoomEvent } from './types';

export interface Typer {
  userId: string;
  userName: string;
  /** Epoch milliseconds after which the entry no longer counts. */
  expiresAt: number;
}

/** Typers in order of arrival (when each started typing). */
export type TypingState = readonly Typer[];

/** The fields of a TYPING RoomEvent that matter here. */
export type TypingEvent = Pick<RoomEvent, 'userId' | 'userName' | 'typing' | 'expiresAt'>;

/** How long a "typing" counts when the event does not say (a little over the sender's interval). */
const DEFAULT_TTL_MS = 6000;

export function applyTyping(state: TypingState, ev: TypingEvent, now: number): TypingState {
  const live = state.filter((t) => t.expiresAt > now);
  if (ev.userId === null) return live;
  const userId = ev.userId;
  if (!ev.typing) return live.filter((t) => t.userId !== userId);
  const parsed = ev.expiresAt ? Date.parse(ev.expiresAt) : NaN;
  const entry: Typer = { userId, userName: ev.userName ?? 'Someone', expiresAt: Number.isNaN(parsed) ? now + DEFAULT_TTL_MS : parsed };
  // A renewal keeps the user's place in the line.
  const index = live.findIndex((t) => t.userId === userId);
  return index < 0 ? [...live, entry] : live.map((t, i) => (i === index ? entry : t));
}

export function activeTypers(state: TypingState, now: number, myUserId: string): Typer[] {
  return state.filter((t) => t.expiresAt > now && t.userId !== myUserId);
}

export function typingLine(names: readonly string[]): string {
  const [a, b, c] = names;
  if (a === undefined) return '';
  if (b === undefined) return `${a} is typing…`;
  if (c === undefined) return `${a} and ${b} are typing…`;
  if (names.length === 3) return `${a}, ${b} and ${c} are typing…`;
  return `${a}, ${b} and ${names.length - 2} others are typing…`;
}

export interface TypingSenderOptions {
  send: (typing: boolean) => void;
  /** At most one typing=true per this many ms while the user keeps typing. */
  intervalMs?: number;
  /** typing=false after this many ms without input. */
  idleMs?: number;
  now?: () => number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

export interface TypingSender {
  /** Call on every keystroke in the composer. */
  input(): void;
  /** Call after sending a message (and on leaving the room): typing=false at once if true was sent. */
  stop(): void;
}

export function createTypingSender(opts: TypingSenderOptions): TypingSender {
  const intervalMs = opts.intervalMs ?? 3000;
  const idleMs = opts.idleMs ?? 5000;
  // Looked up at call time, so that fake timers installed later still apply.
  const now = opts.now ?? (() => Date.now());
  const schedule = opts.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
  const cancel = opts.clearTimeout ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  let lastTrueAt: number | null = null; // null: the server thinks I am not typing
  let idleTimer: unknown = null;

  function stop(): void {
    if (idleTimer !== null) cancel(idleTimer);
    idleTimer = null;
    if (lastTrueAt !== null) {
      lastTrueAt = null;
      opts.send(false);
    }
  }

  return {
    input() {
      const t = now();
      if (lastTrueAt === null || t - lastTrueAt >= intervalMs) {
        lastTrueAt = t;
        opts.send(true);
      }
      if (idleTimer !== null) cancel(idleTimer);
      idleTimer = schedule(stop, idleMs);
    },
    stop,
  };
}
