/**
 * The editors scenario's load split across child processes (bench/collab/editors-child.ts, forked, commands over
 * IPC): one process holding 30 replicas that each apply every other editor's update saturates its thread, and its
 * event loop's lag would count in every delivery it measures. Each child runs its share of the editors; the parent
 * steps them through the scenario together and merges what they report (edit times, arrivals, sends, texts).
 */
import { Helper } from '../fanout/procs.js';
import { SendStats } from './editor.js';
import { EditClock, arrivalTimes, type ArrivalLog } from './replica.js';

/** One editor as the parent sets it up: its place (line) in the document, its session token and marker. */
export interface EditorSpec {
  index: number;
  name: string;
  token: string;
  marker: string;
}

/** One editor as its child reports it at the end. */
export interface EditorEnd {
  index: number;
  clientId: number;
  typed: number;
  text: string;
  /** Edits of each editor's client this editor's replica has seen. */
  seen: [number, number][];
}

export type ChildCmd =
  | { cmd: 'setup'; url: string; documentId: string; editors: EditorSpec[] }
  | { cmd: 'open'; clientIds: number[] }
  | { cmd: 'type'; rate: number; until: number }
  | { cmd: 'drain'; timeoutMs: number }
  | { cmd: 'arrive'; typed: [number, number][]; timeoutMs: number }
  | { cmd: 'report' }
  | { cmd: 'close' };

export type ChildEv =
  | { ev: 'ready'; clientIds: [number, number][] }
  | { ev: 'opened' }
  | { ev: 'typed'; maxLagMs: number; typed: [number, number][] }
  | { ev: 'sent'; ms: number | null }
  | { ev: 'arrived'; ms: number | null }
  | {
      ev: 'report';
      editors: EditorEnd[];
      stamps: ReadonlyMap<number, number[]>;
      arrivals: ArrivalLog;
      stats: SendStats;
      errors: string[];
    }
  | { ev: 'error'; message: string };

const STEP_MS = 120_000;

/** The children, each with its share of the editors (editor i in child i mod n: the lines interleave). */
export class EditorProcesses {
  private constructor(private readonly children: Helper<ChildCmd, ChildEv>[]) {}

  /** Forks `n` children and creates the editors there; resolves once they exist (their Y.Docs, not yet loaded). */
  static async start(n: number, url: string, documentId: string, specs: EditorSpec[]): Promise<EditorProcesses> {
    const count = Math.max(1, Math.min(n, specs.length));
    const children = Array.from(
      { length: count },
      (_, i) => new Helper<ChildCmd, ChildEv>(`editors ${i}`, 'bench/collab/editors-child.ts'),
    );
    const group = new EditorProcesses(children);
    try {
      const ready = await Promise.all(
        children.map((c, i) =>
          c.call({ cmd: 'setup', url, documentId, editors: specs.filter((s) => s.index % count === i) }, 'ready', STEP_MS),
        ),
      );
      group.clientIds = ready
        .flatMap((r) => r.clientIds)
        .sort((a, b) => a[0] - b[0])
        .map(([, id]) => id);
    } catch (err) {
      await group.close();
      throw err;
    }
    return group;
  }

  /** Every editor's Yjs client id, in line order. */
  clientIds: number[] = [];

  get pids(): number[] {
    return this.children.map((c) => c.proc.pid!);
  }

  private all<E extends ChildEv['ev']>(cmd: ChildCmd, ev: E, timeoutMs = STEP_MS) {
    return Promise.all(this.children.map((c) => c.call(cmd, ev, timeoutMs)));
  }

  /** Loads the document in every editor and follows it. */
  async open(): Promise<void> {
    await this.all({ cmd: 'open', clientIds: this.clientIds }, 'opened');
  }

  /** Types until `until` (wall time); the typing schedule's worst lag over the children, and what each editor typed. */
  async type(rate: number, until: number): Promise<{ maxLagMs: number; typed: [number, number][] }> {
    const r = await this.all({ cmd: 'type', rate, until }, 'typed', until - Date.now() + STEP_MS);
    return { maxLagMs: Math.max(...r.map((x) => x.maxLagMs)), typed: r.flatMap((x) => x.typed) };
  }

  /** Until every editor sent everything: the slowest child's wait (null: one never did). */
  async drain(timeoutMs: number): Promise<number | null> {
    return slowest(await this.all({ cmd: 'drain', timeoutMs }, 'sent', timeoutMs + STEP_MS));
  }

  /** Until every editor has seen what every other typed (`typed`: client id → edits). */
  async arrive(typed: [number, number][], timeoutMs: number): Promise<number | null> {
    return slowest(await this.all({ cmd: 'arrive', typed, timeoutMs }, 'arrived', timeoutMs + STEP_MS));
  }

  /** The children's reports merged: the editors in line order, the edit → arrival times, the sends, the errors. */
  async report() {
    const r = await this.all({ cmd: 'report' }, 'report');
    const clock = new EditClock();
    for (const x of r) clock.merge(x.stamps);
    const stats = new SendStats();
    for (const x of r) stats.add(x.stats);
    return {
      editors: r.flatMap((x) => x.editors).sort((a, b) => a.index - b.index),
      clients: clock.clients,
      arrivals: arrivalTimes(
        r.map((x) => x.arrivals),
        clock,
      ),
      stats,
      errors: r.flatMap((x) => x.errors),
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.children.map((c) => c.close({ cmd: 'close' })));
  }
}

const slowest = (r: { ms: number | null }[]): number | null => (r.some((x) => x.ms === null) ? null : Math.max(...r.map((x) => x.ms!)));
