/**
 * Work that arrives in bursts (a thousand sockets closing within a second: the end of a class, a network blip)
 * done a chunk at a time: `size` tasks, then the event loop is free (I/O, timers, other requests) before the
 * next chunk (setImmediate). Tasks run in arrival order; one that throws does not stop the others.
 */
export class Chunked {
  private tasks: (() => void)[] = [];
  private head = 0;
  private scheduled = false;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly size: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Tasks waiting for their chunk. */
  get pending(): number {
    return this.tasks.length - this.head;
  }

  push(task: () => void): void {
    this.tasks.push(task);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  }

  /** Resolves when nothing is waiting. */
  idle(): Promise<void> {
    return this.pending === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

  private run = (): void => {
    const end = Math.min(this.tasks.length, this.head + this.size);
    for (; this.head < end; this.head++) {
      const task = this.tasks[this.head]!;
      try {
        task();
      } catch (err) {
        this.onError(err);
      }
    }
    if (this.head < this.tasks.length) {
      setImmediate(this.run);
      return;
    }
    this.tasks = [];
    this.head = 0;
    this.scheduled = false;
    for (const w of this.waiters.splice(0)) w();
  };
}
