/** A minimal push-to-pull queue: producers push synchronously, one consumer awaits values in order. */
export class AsyncQueue<T> {
  private items: T[] = [];
  private head = 0;
  private waiter: ((v: void) => void) | null = null;
  private ended = false;
  private failure: unknown = null;

  push(item: T): void {
    if (this.ended) return;
    this.items.push(item);
    this.wake();
  }

  end(err?: unknown): void {
    this.ended = true;
    if (err !== undefined) this.failure = err;
    this.wake();
  }

  get size(): number {
    return this.items.length - this.head;
  }

  /** Next item, or undefined when ended and drained. */
  async next(): Promise<T | undefined> {
    for (;;) {
      if (this.failure !== null) throw this.failure;
      if (this.head < this.items.length) {
        const item = this.items[this.head]!;
        this.items[this.head++] = undefined as T;
        if (this.head > 1024 && this.head * 2 > this.items.length) {
          this.items = this.items.slice(this.head);
          this.head = 0;
        }
        return item;
      }
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}
