/**
 * Token counting off the event loop: a small pool of worker threads (tokenizer-worker.ts) owns the tokenizer
 * (o200k_base) and counts batches of texts. Building the tokenizer costs about 0.8 s of CPU and a long text's
 * count several ms; in the one-process mode (ROLE=all) that time would stall every socket of the API.
 *
 * Threads start on first use (or at warm()), hold the process open only while a count is in flight (an idle
 * pool never keeps a process from exiting), and end at close(); a count after close() starts a fresh thread.
 */
import { Worker } from 'node:worker_threads';

/** A batch of texts to count; answered with their counts in order. */
export interface ToTokenizer {
  id: number;
  texts: string[];
}
export type FromTokenizer = { ready: true } | { id: number; counts: number[] } | { id: number; error: string };

interface Pending {
  resolve: (counts: number[]) => void;
  reject: (err: Error) => void;
}

interface Thread {
  worker: Worker;
  /** Resolves once the tokenizer is built; rejects if the thread failed first. */
  ready: Promise<void>;
  pending: Map<number, Pending>;
  /** Called when the last pending count is answered (close() waits for it). */
  onIdle: (() => void) | null;
}

/**
 * Where the thread's code is. Built (bin/build-server.ts), this module is part of a bundle with the thread
 * bundled next to it as tokenizer-worker.mjs. From source (tsx, vitest) it is TypeScript, which Node 20 does not
 * load by itself in a worker thread (nor does a worker inherit tsx's hooks): tsx's tsImport loads it there.
 */
function threadEntry(): { filename: string | URL; eval: boolean } {
  if (!import.meta.url.endsWith('.ts')) return { filename: new URL('./tokenizer-worker.mjs', import.meta.url), eval: false };
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./tokenizer-worker.ts', import.meta.url).href;
  return {
    filename: `import(${JSON.stringify(tsx)}).then((m) => m.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(import.meta.url)}))`,
    eval: true,
  };
}

export class TokenizerPool {
  private threads: Thread[] = [];
  private seq = 0;

  constructor(private readonly size = 1) {}

  /** Live threads (for tests and diagnostics). */
  get threadCount(): number {
    return this.threads.length;
  }

  /** Starts the threads and resolves once each has built its tokenizer. */
  async warm(): Promise<void> {
    while (this.threads.length < this.size) this.spawn();
    await Promise.all(this.threads.map((t) => t.ready));
  }

  /** The number of tokens of each text (o200k_base; special-token markers count as plain text). */
  count(texts: string[]): Promise<number[]> {
    // Nothing to count: answered here, without a round trip.
    if (texts.every((t) => !t)) return Promise.resolve(texts.map(() => 0));
    const thread = this.pick();
    const id = ++this.seq;
    return new Promise<number[]>((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      if (thread.pending.size === 1) thread.worker.ref();
      thread.worker.postMessage({ id, texts } satisfies ToTokenizer);
    });
  }

  /** Ends the threads once the counts in flight are answered. */
  async close(): Promise<void> {
    const closing = this.threads;
    this.threads = [];
    await Promise.all(
      closing.map(async (t) => {
        while (t.pending.size > 0) await new Promise<void>((resolve) => (t.onIdle = resolve));
        await t.worker.terminate();
      }),
    );
  }

  /** The thread with the fewest counts in flight; a new one while the pool is not full and all are busy. */
  private pick(): Thread {
    let best: Thread | undefined;
    for (const t of this.threads) if (!best || t.pending.size < best.pending.size) best = t;
    if (best && (best.pending.size === 0 || this.threads.length >= this.size)) return best;
    return this.spawn();
  }

  private spawn(): Thread {
    const entry = threadEntry();
    const worker = new Worker(entry.filename, { eval: entry.eval });
    worker.unref();
    let markReady!: () => void;
    let failStart!: (err: Error) => void;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failStart = reject;
    });
    ready.catch(() => {}); // also reported to the counts waiting on the thread
    const thread: Thread = { worker, ready, pending: new Map(), onIdle: null };
    const settle = (id: number) => {
      const p = thread.pending.get(id);
      thread.pending.delete(id);
      if (thread.pending.size === 0) {
        worker.unref();
        thread.onIdle?.();
        thread.onIdle = null;
      }
      return p;
    };
    const fail = (err: Error) => {
      this.threads = this.threads.filter((t) => t !== thread);
      failStart(err);
      for (const id of [...thread.pending.keys()]) settle(id)?.reject(err);
    };
    worker.on('message', (m: FromTokenizer) => {
      if ('ready' in m) return markReady();
      const p = settle(m.id);
      if ('error' in m) p?.reject(new Error(`tokenizer: ${m.error}`));
      else p?.resolve(m.counts);
    });
    worker.on('error', (err) => fail(new Error(`tokenizer thread failed: ${err.message}`, { cause: err })));
    worker.on('exit', (code) => fail(new Error(`tokenizer thread exited (${code})`)));
    this.threads.push(thread);
    return thread;
  }
}
