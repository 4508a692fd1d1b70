/** Messages between the tutor-chat bench (bench/tutor-chat.ts: the students) and its server process. */

/** What the server measured of itself over one phase. */
export interface ServerPhase {
  eventLoopUtilization: number;
  /** CPU time of every thread of the process (the tokenizer's too), and of the main thread alone (null without /proc). */
  cpuMs: number;
  mainThreadCpuMs: number | null;
  loopDelayMs: { p50: number; p99: number; max: number };
}

export type ToServer =
  { t: 'start'; env: Record<string, string>; students: number } | { t: 'subs' } | { t: 'measure' } | { t: 'measured' } | { t: 'stop' };

export type FromServer =
  | { t: 'ready'; url: string; wsUrl: string; courseId: string; courseRoomId: string; tokens: string[]; tutorConcurrency: number }
  | { t: 'subs'; n: number }
  | ({ t: 'measured' } & ServerPhase)
  | { t: 'stopped' }
  | { t: 'error'; message: string };
