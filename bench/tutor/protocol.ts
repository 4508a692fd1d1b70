/** Messages between the tutor bench (parent: provider and students) and its server process (app and worker). */

/** Stamps the server takes for one question (epoch ms with fractions: one clock for both processes). */
export interface ServerStamps {
  questionId?: string;
  requestId?: string;
  tPosted?: number;
  tAddStart?: number;
  tAddEnd?: number;
  tRun?: number;
  tReserve?: number;
  tReserved?: number;
  tThinking?: number;
  tStream?: number;
  tFirstDelta?: number;
  tSigCall?: number;
  tSigSent?: number;
}

export interface DbDiag {
  sessions: Record<string, number>;
  queries: number;
  queryMs: { p50: number; p95: number; mean: number };
  poolAcquisitions: number;
  poolWaitMs: { p50: number; p95: number; mean: number };
  poolMaxWaiting: number;
}

export type ToServer =
  | { t: 'start'; env: Record<string, string>; students: number }
  | { t: 'subs' }
  | { t: 'measure'; diag: boolean }
  | { t: 'measured' }
  | { t: 'stop' };

export type FromServer =
  | { t: 'ready'; url: string; wsUrl: string; courseId: string; tokens: string[]; tutorConcurrency: number; dbPoolMax: number }
  | { t: 'subs'; n: number }
  | { t: 'stamp'; ref: string; stamps: ServerStamps }
  | {
      t: 'measured';
      eventLoopUtilization: number;
      cpuMs: number;
      db: DbDiag | null;
      loopDelayMs: { p50: number; p99: number; max: number };
    }
  | { t: 'stopped' }
  | { t: 'error'; message: string };

/** Wall-clock milliseconds with sub-millisecond precision, comparable between processes on one machine. */
export const wallNow = () => performance.timeOrigin + performance.now();
