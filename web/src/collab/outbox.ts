/**
 * The updates a collab client has made and not yet had stored, as plain logic (no Apollo, no timers): one send in
 * flight at a time; what is made meanwhile waits and goes out merged into one update with the next send; a failed
 * send is put back in front, merged with what came since. Yjs updates are idempotent and commutative, so merging and
 * re-sending never doubles an edit. The provider (provider.ts) drives it.
 */
export type MergeUpdates = (updates: Uint8Array[]) => Uint8Array;

export class UpdateOutbox {
  private waiting: Uint8Array[] = [];
  private sending: Uint8Array | null = null;

  constructor(private readonly merge: MergeUpdates) {}

  /** A local update to send. */
  add(update: Uint8Array): void {
    this.waiting.push(update);
  }

  /** The next update to send (everything waiting, merged), or null while one is in flight or nothing waits. */
  take(): Uint8Array | null {
    if (this.sending || this.waiting.length === 0) return null;
    const next = this.waiting.length === 1 ? this.waiting[0]! : this.merge(this.waiting);
    this.waiting = [];
    this.sending = next;
    return next;
  }

  /** The update in flight was stored (or found already stored). */
  sent(): void {
    this.sending = null;
  }

  /** The update in flight failed: it waits again, in front of what was made since. */
  failed(): void {
    if (this.sending) this.waiting.unshift(this.sending);
    this.sending = null;
  }

  /**
   * Everything waiting and in flight is replaced by `state` (the client's whole state, which holds all of it): the
   * server lost track of what an update builds on (OUT_OF_SYNC) and trims what it already has.
   */
  replaceAll(state: Uint8Array): void {
    this.waiting = [state];
    this.sending = null;
  }

  /** Everything not known to be stored, in flight or not, as one update (a last send: resending is harmless). */
  drain(): Uint8Array | null {
    const all = this.sending ? [this.sending, ...this.waiting] : this.waiting;
    this.clear();
    if (all.length === 0) return null;
    return all.length === 1 ? all[0]! : this.merge(all);
  }

  /** Drops everything (updates the server refused for good). */
  clear(): void {
    this.waiting = [];
    this.sending = null;
  }

  /** Nothing waits and nothing is in flight. */
  get empty(): boolean {
    return this.waiting.length === 0 && this.sending === null;
  }

  get inFlight(): boolean {
    return this.sending !== null;
  }
}
